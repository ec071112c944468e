"""SQLAlchemy 2.x ORM models. The schema itself is created by Alembic (migrations/)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pgvector.sqlalchemy import Vector
from sqlalchemy import (
    JSON,
    REAL,
    BigInteger,
    Double,
    ForeignKey,
    Integer,
    LargeBinary,
    SmallInteger,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import DateTime


class Base(DeclarativeBase):
    pass


class EmbeddingModelRow(Base):
    """The one model whose vectors the database holds (a single row)."""

    __tablename__ = "embedding_model"

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, default=1)
    name: Mapped[str] = mapped_column(Text)
    dimension: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class ProjectRow(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class SourceRow(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)


class KeywordRow(Base):
    __tablename__ = "keywords"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)


class NoteKeywordRow(Base):
    __tablename__ = "note_keywords"

    note_id: Mapped[int] = mapped_column(
        ForeignKey("notes.id", ondelete="CASCADE"), primary_key=True
    )
    keyword_id: Mapped[int] = mapped_column(
        ForeignKey("keywords.id", ondelete="CASCADE"), primary_key=True
    )


class NoteRow(Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, default="")
    external_id: Mapped[str | None] = mapped_column(Text, unique=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    version: Mapped[int] = mapped_column(Integer, default=1)
    content_hash: Mapped[str] = mapped_column(Text)
    # Written by the repository from accent-folded text: title lexemes weight A, body D.
    search_tsv: Mapped[str | None] = mapped_column(TSVECTOR)
    # The text search configuration search_tsv was built with (the note's language).
    text_config: Mapped[str] = mapped_column(Text, default="english")
    # Accent-folded, lower-cased title: a query equal to it is the first hit.
    title_folded: Mapped[str | None] = mapped_column(Text)
    # Normalised mean of the chunk vectors: one HNSW lookup answers "related notes".
    embedding: Mapped[list[float] | None] = mapped_column(Vector())
    # In the trash since then (soft delete); live notes have NULL (migration 0008).
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The token of the form that created the note: a repeated create finds it.
    create_token: Mapped[str | None] = mapped_column(Text, unique=True)

    keywords: Mapped[list[KeywordRow]] = relationship(
        secondary="note_keywords", lazy="selectin", order_by="KeywordRow.name"
    )


class NoteChunkRow(Base):
    __tablename__ = "note_chunks"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"))
    ordinal: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(Text)
    embedding: Mapped[list[float] | None] = mapped_column(Vector())


class NoteLinkRow(Base):
    __tablename__ = "note_links"

    source_note_id: Mapped[int] = mapped_column(
        ForeignKey("notes.id", ondelete="CASCADE"), primary_key=True
    )
    target_key: Mapped[str] = mapped_column(Text, primary_key=True)  # lower(title)
    target_title: Mapped[str] = mapped_column(Text)


class Bm25TermRow(Base):
    """Vocabulary of the keyword index with document frequencies as of the last fold
    (pending changes in bm25_term_delta; kept by triggers)."""

    __tablename__ = "bm25_terms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    term: Mapped[str] = mapped_column(Text, unique=True)
    df: Mapped[int] = mapped_column(Integer, default=0)


class Bm25PostingRow(Base):
    """One (term, note) pair with the numbers BM25 needs, so a query reads nothing else.
    Keyed by (note_id, term_id) (migration 0017): a new note's postings go to the key's end."""

    __tablename__ = "bm25_postings"

    note_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    term_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tf_title: Mapped[float] = mapped_column(REAL)
    tf_body: Mapped[float] = mapped_column(REAL)
    len_title: Mapped[float] = mapped_column(REAL)
    len_body: Mapped[float] = mapped_column(REAL)
    # Reference BM25 term weight (no IDF) at write time: the reading order of a term's
    # postings (migration 0002), never the score itself.
    impact_ref: Mapped[float] = mapped_column(REAL, default=0)


class Bm25StatsRow(Base):
    """The collection statistics as of the last fold; pending changes are in
    bm25_stats_delta (search reads both, see `search_operations`)."""

    __tablename__ = "bm25_stats"

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, default=1)
    doc_count: Mapped[int] = mapped_column(BigInteger, default=0)
    sum_len_title: Mapped[float] = mapped_column(Double, default=0)
    sum_len_body: Mapped[float] = mapped_column(Double, default=0)


class Bm25StatsDeltaRow(Base):
    """A write transaction's change to the collection statistics, folded into
    bm25_stats later (migration 0011): writers append, none waits on a shared row."""

    __tablename__ = "bm25_stats_delta"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    doc_count: Mapped[int] = mapped_column(BigInteger)
    sum_len_title: Mapped[float] = mapped_column(Double)
    sum_len_body: Mapped[float] = mapped_column(Double)


class Bm25TermDeltaRow(Base):
    """A write transaction's change to one term's document frequency, folded later."""

    __tablename__ = "bm25_term_delta"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    term_id: Mapped[int] = mapped_column(Integer, index=True)
    delta: Mapped[int] = mapped_column(Integer)


class NoteVaultRow(Base):
    """Where an imported note came from in its vault (migration 0009)."""

    __tablename__ = "note_vault"

    note_id: Mapped[int] = mapped_column(
        ForeignKey("notes.id", ondelete="CASCADE"), primary_key=True
    )
    path: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str] = mapped_column(Text)
    head: Mapped[str] = mapped_column(Text, default="")
    properties: Mapped[Any] = mapped_column(JSON, default=list)
    newline: Mapped[str] = mapped_column(Text, default="\n")
    # Mixed line endings, one code per break (migration 0013); "" when all are `newline`.
    line_endings: Mapped[str] = mapped_column(Text, default="", server_default="")
    file_hash: Mapped[str] = mapped_column(Text)
    import_hash: Mapped[str] = mapped_column(Text)
    managed: Mapped[Any] = mapped_column(JSON, default=dict)
    imported_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class NoteAliasRow(Base):
    __tablename__ = "note_aliases"

    note_id: Mapped[int] = mapped_column(
        ForeignKey("notes.id", ondelete="CASCADE"), primary_key=True
    )
    alias_key: Mapped[str] = mapped_column(Text, primary_key=True)  # lower(alias)
    alias: Mapped[str] = mapped_column(Text)
    # accents folded, case and spaces ignored, as notes.title_folded (exact matches)
    alias_folded: Mapped[str | None] = mapped_column(Text)


class VaultAttachmentRow(Base):
    """A non-note file of an imported vault, its bytes in the database."""

    __tablename__ = "vault_attachments"

    path: Mapped[str] = mapped_column(Text, primary_key=True)
    sha256: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(Text)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    imported_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class NoteRevisionRow(Base):
    """A superseded version of a note: the full body, or a delta from the next version."""

    __tablename__ = "note_revisions"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)
    body_delta: Mapped[list[Any] | None] = mapped_column(JSONB(none_as_null=True))
    keywords: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    project_id: Mapped[int | None] = mapped_column(BigInteger)
    source_id: Mapped[int | None] = mapped_column(BigInteger)
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class NoteDraftRow(Base):
    """Unsaved form contents, per note or per new-note form."""

    __tablename__ = "note_drafts"

    key: Mapped[str] = mapped_column(Text, primary_key=True)
    note_id: Mapped[int | None] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"))
    base_version: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[str] = mapped_column(Text, default="")
    project_id: Mapped[int | None] = mapped_column(BigInteger)
    source_id: Mapped[int | None] = mapped_column(BigInteger)
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class RelatedChoiceRow(Base):
    """Another note pinned to, or hidden from, a note's related notes (migration 0010)."""

    __tablename__ = "related_choices"

    note_id: Mapped[int] = mapped_column(
        ForeignKey("notes.id", ondelete="CASCADE"), primary_key=True
    )
    other_note_id: Mapped[int] = mapped_column(
        ForeignKey("notes.id", ondelete="CASCADE"), primary_key=True
    )
    choice: Mapped[str] = mapped_column(Text)  # "pinned" | "hidden"
