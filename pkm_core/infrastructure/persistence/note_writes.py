"""Write side of the note repository: the SQL that stores a note with everything beside it
(over 250 lines: create, edit and re-index share its row builders, kept in one place).

Plain functions over a sync `Session`; `SyncSQLAlchemyNoteRepository` calls them and the
async repository reaches the same code through `AsyncSession.run_sync`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, NoReturn

from pgvector.sqlalchemy import Vector
from sqlalchemy import (
    ARRAY,
    Text,
    any_,
    bindparam,
    delete,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import Insert as PgInsert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from pkm_core.application.dto import ChunkRecord, PreparedNote
from pkm_core.domain.errors import DuplicateTitle, NoteNotFound, VersionConflict
from pkm_core.domain.note import Note, NoteDraft
from pkm_core.infrastructure.language_detector import detect_config
from pkm_core.infrastructure.persistence.models import (
    KeywordRow,
    NoteChunkRow,
    NoteKeywordRow,
    NoteLinkRow,
    NoteRow,
)
from pkm_core.infrastructure.persistence.note_history import archive_version
from pkm_core.infrastructure.persistence.note_sql import (
    LIVE,
    note_columns,
    note_select,
    search_vector,
    to_note,
)
from pkm_core.infrastructure.persistence.search_syntax import title_key


def ensure_title_free(session: Session, title: str, note_id: int | None) -> None:
    """A friendly check before writing; the unique index still decides a race."""
    stmt = select(NoteRow.id).where(func.lower(NoteRow.title) == title.lower(), LIVE)
    if note_id is not None:
        stmt = stmt.where(NoteRow.id != note_id)
    if session.execute(stmt.limit(1)).first() is not None:
        raise DuplicateTitle(title)


def _note_values(draft: NoteDraft, aliases: Sequence[str] = ()) -> dict[str, object]:
    """The note row; aliases are searched like the title (weight A), in the language
    detected for the note."""
    title_text = " ".join([draft.title, *aliases])
    config = detect_config(draft.title, draft.body)
    return {
        "title": draft.title,
        "body": draft.body,
        "external_id": draft.external_id,
        "project_id": draft.project_id,
        "source_id": draft.source_id,
        "content_hash": draft.content_hash,
        "search_tsv": search_vector(title_text, draft.body, config),
        "text_config": config,
        "title_folded": title_key(draft.title),
    }


def _row_values(n: PreparedNote, now: datetime) -> dict[str, object]:
    vault = n.vault
    values = _note_values(n.draft, vault.aliases if vault else ())
    values["embedding"] = n.embedding
    values["created_at"] = (vault.created_at if vault else None) or now
    values["updated_at"] = (vault.updated_at if vault else None) or values["created_at"]
    return values


def _upsert_keywords(session: Session, names: Sequence[str]) -> dict[str, int]:
    """{name: id} for `names`, creating the missing keywords."""
    if not names:
        return {}
    insert_names = pg_insert(KeywordRow).values([{"name": n} for n in sorted(set(names))])
    # DO UPDATE (a no-op) rather than DO NOTHING so that existing keywords return their id too.
    upsert = insert_names.on_conflict_do_update(
        index_elements=[KeywordRow.name], set_={"name": insert_names.excluded.name}
    ).returning(KeywordRow.id, KeywordRow.name)
    return {row.name: row.id for row in session.execute(upsert)}


def _chunk_rows(note_id: int, records: Sequence[ChunkRecord]) -> list[dict[str, object]]:
    return [
        {
            "note_id": note_id,
            "ordinal": c.ordinal,
            "text": c.text,
            "content_hash": c.content_hash,
            "embedding": c.embedding,
        }
        for c in records
    ]


def _rewrite_chunks(session: Session, note_id: int, records: Sequence[ChunkRecord]) -> None:
    """The note's chunks become `records`; a stored chunk with the same ordinal, text and
    hash (and a vector) stays as it is. Each chunk row written costs an HNSW insert and
    leaves a dead index entry for VACUUM, so an edit of one paragraph writes one chunk,
    not all of them: delete the others, then insert, skipping (ON CONFLICT on the note
    and ordinal) the rows kept."""
    unchanged = tuple_(NoteChunkRow.ordinal, NoteChunkRow.text, NoteChunkRow.content_hash).in_(
        [(c.ordinal, c.text, c.content_hash) for c in records]
    )
    session.execute(
        delete(NoteChunkRow).where(
            NoteChunkRow.note_id == note_id,
            or_(~unchanged, NoteChunkRow.embedding.is_(None)),
        )
    )
    if records:  # rows as parameters (one statement, insertmanyvalues): compiled once
        stmt = pg_insert(NoteChunkRow).on_conflict_do_nothing(
            index_elements=[NoteChunkRow.note_id, NoteChunkRow.ordinal]
        )
        session.execute(stmt, _chunk_rows(note_id, records))


def _insert_keywords(session: Session, pairs: Sequence[tuple[int, Sequence[str]]]) -> None:
    """(note id, its keyword names) for notes without keyword rows: one INSERT."""
    keyword_ids = _upsert_keywords(session, [k for _, names in pairs for k in names])
    rows = [{"note_id": i, "keyword_id": keyword_ids[k]} for i, names in pairs for k in names]
    if rows:
        session.execute(insert(NoteKeywordRow), rows)


def _insert_links(session: Session, pairs: Sequence[tuple[int, Sequence[str]]]) -> None:
    """(note id, its link targets) for notes without link rows: one INSERT."""
    rows = [
        {"source_note_id": i, "target_key": t.lower(), "target_title": t}
        for i, titles in pairs
        for t in titles
    ]
    if rows:
        session.execute(insert(NoteLinkRow), rows)


def _insert_beside(session: Session, ids: Sequence[int], notes: Sequence[PreparedNote]) -> None:
    """Keywords, chunks and links of freshly inserted notes: one INSERT each."""
    pairs = list(zip(ids, notes, strict=True))
    _insert_keywords(session, [(i, n.draft.keywords) for i, n in pairs])
    chunk_rows = [row for note_id, n in pairs for row in _chunk_rows(note_id, n.chunks)]
    if chunk_rows:
        session.execute(insert(NoteChunkRow), chunk_rows)
    _insert_links(session, [(i, n.links) for i, n in pairs])


def _insert_statement(notes: Sequence[PreparedNote], create_token: str | None) -> PgInsert:
    """One note's values go in the single-row form, whose compiled statement SQLAlchemy
    caches (a multi-row VALUES list is compiled again on every call)."""
    now = datetime.now(UTC)
    extra = {} if create_token is None else {"create_token": create_token}
    rows = [{**_row_values(n, now), **extra} for n in notes]
    return pg_insert(NoteRow).values(rows[0] if len(rows) == 1 else rows)


def insert_notes(
    session: Session, notes: Sequence[PreparedNote], create_token: str | None = None
) -> list[int]:
    """One INSERT for the notes with their vectors (so the BM25 trigger runs once), then one
    each for keywords, chunks and links. Ids in input order. `create_token` (one note
    only) is the form's token that makes a repeated create find this note."""
    if not notes:
        return []
    stmt = _insert_statement(notes, create_token).returning(
        NoteRow.id, func.lower(NoteRow.title).label("key")
    )
    # Map back by title (unique): RETURNING order is not promised for a multi-row VALUES.
    by_key = {row.key: row.id for row in session.execute(stmt)}
    ids = [by_key[n.draft.title.lower()] for n in notes]
    _insert_beside(session, ids, notes)
    return ids


def _sorted_names(names: Sequence[str]) -> ColumnElement[Any]:
    """`names` as the array `keyword_names` reads back (sorted by the server's collation)."""
    if not names:
        return null().label("keyword_names")
    name = func.unnest(literal(list(names), ARRAY(Text))).table_valued("name")
    return func.array(select(name.c.name).order_by(name.c.name).scalar_subquery()).label(
        "keyword_names"
    )


def insert_note(session: Session, note: PreparedNote, create_token: str | None = None) -> Note:
    """`insert_notes` for one note, whose RETURNING is the saved note: nothing read back.
    A live note holding the title already (the unique index decides, races included)
    makes it insert nothing: DuplicateTitle, with the title as the person wrote it."""
    stmt = (
        _insert_statement([note], create_token)
        .on_conflict_do_nothing(index_elements=[func.lower(NoteRow.title)], index_where=LIVE)
        .returning(*note_columns(), _sorted_names(note.draft.keywords))
    )
    row = session.execute(stmt).first()
    if row is None:
        raise DuplicateTitle(note.draft.title)
    _insert_beside(session, [row.id], [note])
    return to_note(row)


def raise_missing_or_conflict(session: Session, note_id: int, expected_version: int) -> NoReturn:
    current = session.execute(
        select(NoteRow.version).where(NoteRow.id == note_id, LIVE)
    ).scalar_one_or_none()
    if current is None:
        raise NoteNotFound(note_id)
    raise VersionConflict(note_id, expected_version, current)


def update_note(
    session: Session, note_id: int, note: NoteDraft | PreparedNote, expected_version: int
) -> Note:
    """Keep the version being replaced as a revision (which locks the note row), check a
    new title is free, write what stands beside the note, then rewrite the note row once
    (with its vector when `note` is prepared): its RETURNING is the saved note, keywords
    included, so nothing is read again. Keywords and links the edit keeps are not
    rewritten (the locking read brings the stored ones). A draft alone leaves chunks,
    vectors and links as they were."""
    prepared = note if isinstance(note, PreparedNote) else None
    draft = note.draft if isinstance(note, PreparedNote) else note
    stored = archive_version(session, note_id, expected_version, draft.body)
    if stored is None:
        raise_missing_or_conflict(session, note_id, expected_version)
    if stored.title.lower() != draft.title.lower():  # a rename: is the new title free?
        ensure_title_free(session, draft.title, note_id)
    vault = prepared.vault if prepared is not None else None
    values: dict[str, object] = _note_values(draft, vault.aliases if vault else stored.aliases)
    values["updated_at"] = func.clock_timestamp()
    if prepared is not None:
        values["embedding"] = prepared.embedding
    if vault is not None and vault.updated_at is not None:
        values["updated_at"] = vault.updated_at
    if vault is not None and vault.created_at is not None:
        values["created_at"] = vault.created_at
    if stored.keywords != frozenset(draft.keywords):
        session.execute(delete(NoteKeywordRow).where(NoteKeywordRow.note_id == note_id))
        _insert_keywords(session, [(note_id, draft.keywords)])
    if prepared is not None:
        _rewrite_chunks(session, note_id, prepared.chunks)
        if stored.link_titles != frozenset(prepared.links):
            session.execute(delete(NoteLinkRow).where(NoteLinkRow.source_note_id == note_id))
            _insert_links(session, [(note_id, prepared.links)])
    stmt = (
        update(NoteRow)
        .where(NoteRow.id == note_id, NoteRow.version == expected_version, LIVE)
        .values(**values, version=NoteRow.version + 1)
        .returning(*note_select().selected_columns)
    )
    row = session.execute(stmt).first()
    if row is None:  # not after archive_version's lock; kept as the statement's own check
        raise_missing_or_conflict(session, note_id, expected_version)
    return to_note(row)


def delete_note(session: Session, note_id: int, expected_version: int | None) -> None:
    """Delete for good, with its revisions, chunks, keywords and links (cascade)."""
    stmt = delete(NoteRow).where(NoteRow.id == note_id)
    if expected_version is not None:
        stmt = stmt.where(NoteRow.version == expected_version)
    if session.execute(stmt.returning(NoteRow.id)).first() is None:
        if expected_version is None:
            raise NoteNotFound(note_id)
        raise_missing_or_conflict(session, note_id, expected_version)


def replace_chunks(
    session: Session,
    note_id: int,
    records: Sequence[ChunkRecord],
    note_embedding: Sequence[float] | None,
) -> None:
    """New chunks and note vector for an unchanged text (a re-index)."""
    session.execute(delete(NoteChunkRow).where(NoteChunkRow.note_id == note_id))
    if records:
        session.execute(insert(NoteChunkRow), _chunk_rows(note_id, records))
    session.execute(
        update(NoteRow)
        .where(NoteRow.id == note_id)
        .values(embedding=bindparam("embedding", type_=Vector())),
        {"embedding": None if note_embedding is None else list(note_embedding)},
    )


def replace_links(session: Session, note_id: int, target_titles: Sequence[str]) -> None:
    session.execute(delete(NoteLinkRow).where(NoteLinkRow.source_note_id == note_id))
    if target_titles:
        session.execute(
            insert(NoteLinkRow),
            [
                {"source_note_id": note_id, "target_key": t.lower(), "target_title": t}
                for t in target_titles
            ],
        )


def chunks(session: Session, note_id: int) -> list[ChunkRecord]:
    stmt = (
        select(
            NoteChunkRow.ordinal,
            NoteChunkRow.text,
            NoteChunkRow.content_hash,
            NoteChunkRow.embedding,
        )
        .where(NoteChunkRow.note_id == note_id)
        .order_by(NoteChunkRow.ordinal)
    )
    return [
        ChunkRecord(
            ordinal=r.ordinal,
            text=r.text,
            content_hash=r.content_hash,
            embedding=None if r.embedding is None else [float(x) for x in r.embedding],
        )
        for r in session.execute(stmt)
    ]


def taken_titles(session: Session, titles: Sequence[str]) -> dict[str, str | None]:
    """{lower(title): external_id} for the titles already in use (case-insensitively)."""
    if not titles:
        return {}
    keys = sorted({t.lower() for t in titles})
    stmt = select(func.lower(NoteRow.title), NoteRow.external_id).where(
        func.lower(NoteRow.title) == any_(literal(keys, ARRAY(Text)))
    )
    return {key: external_id for key, external_id in session.execute(stmt)}
