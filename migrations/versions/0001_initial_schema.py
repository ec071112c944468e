"""Initial schema: the vector extension, notes, chunks, keyword index, vocabulary tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from pgvector.sqlalchemy import Vector
from sqlalchemy.dialects.postgresql import TSVECTOR

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DIMENSION = 384  # all-MiniLM-L6-v2; `kairos reindex` alters it for a model of another size

# The BM25 index is kept by statement-level triggers, so every writer (the app, a bulk
# import, plain SQL) keeps it in the same transaction as the note. Writers serialise on
# the single bm25_stats row, which also orders the df updates and so prevents deadlocks.
BM25_FUNCTIONS = [
    """
CREATE FUNCTION kairos_bm25_add(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    WITH lex AS (
        SELECT n.id AS note_id, u.lexeme,
               count(*) FILTER (WHERE w = 'A')::real AS tf_title,
               count(*) FILTER (WHERE w <> 'A')::real AS tf_body
        FROM notes n
        CROSS JOIN LATERAL unnest(n.search_tsv) AS u(lexeme, positions, weights)
        CROSS JOIN LATERAL unnest(u.weights) AS w
        WHERE n.id = ANY(ids)
        GROUP BY n.id, u.lexeme
    ),
    term_df AS (SELECT lexeme, count(*)::int AS n FROM lex GROUP BY lexeme),
    bumped AS (
        UPDATE bm25_terms t SET df = t.df + d.n FROM term_df d
        WHERE t.term = d.lexeme RETURNING t.id, t.term
    ),
    created AS (
        INSERT INTO bm25_terms (term, df)
        SELECT d.lexeme, d.n FROM term_df d
        WHERE NOT EXISTS (SELECT 1 FROM bm25_terms t WHERE t.term = d.lexeme)
        RETURNING id, term
    ),
    term_ids AS (SELECT id, term FROM bumped UNION ALL SELECT id, term FROM created),
    lens AS (
        SELECT note_id, sum(tf_title) AS len_title, sum(tf_body) AS len_body
        FROM lex GROUP BY note_id
    ),
    posted AS (
        INSERT INTO bm25_postings (term_id, note_id, tf_title, tf_body, len_title, len_body)
        SELECT ti.id, lex.note_id, lex.tf_title, lex.tf_body, lens.len_title, lens.len_body
        FROM lex JOIN term_ids ti ON ti.term = lex.lexeme JOIN lens USING (note_id)
    )
    UPDATE bm25_stats SET
        doc_count = doc_count + (SELECT count(*) FROM lens),
        sum_len_title = sum_len_title + coalesce((SELECT sum(len_title) FROM lens), 0),
        sum_len_body = sum_len_body + coalesce((SELECT sum(len_body) FROM lens), 0)
    WHERE id = 1;
$$""",
    """
CREATE FUNCTION kairos_bm25_remove(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    WITH gone AS (
        DELETE FROM bm25_postings WHERE note_id = ANY(ids)
        RETURNING term_id, note_id, len_title, len_body
    ),
    term_df AS (SELECT term_id, count(*)::int AS n FROM gone GROUP BY term_id),
    lowered AS (
        UPDATE bm25_terms t SET df = t.df - d.n FROM term_df d WHERE t.id = d.term_id
    ),
    lens AS (SELECT DISTINCT note_id, len_title, len_body FROM gone)
    UPDATE bm25_stats SET
        doc_count = doc_count - (SELECT count(*) FROM lens),
        sum_len_title = sum_len_title - coalesce((SELECT sum(len_title) FROM lens), 0),
        sum_len_body = sum_len_body - coalesce((SELECT sum(len_body) FROM lens), 0)
    WHERE id = 1;
$$""",
    """
CREATE FUNCTION kairos_bm25_sync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed bigint[];
BEGIN
    PERFORM 1 FROM bm25_stats WHERE id = 1 FOR UPDATE;
    IF TG_OP = 'INSERT' THEN
        PERFORM kairos_bm25_add(ARRAY(SELECT id FROM new_rows WHERE search_tsv IS NOT NULL));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM kairos_bm25_remove(ARRAY(SELECT id FROM old_rows));
    ELSE
        changed := ARRAY(
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE n.search_tsv IS DISTINCT FROM o.search_tsv
        );
        IF cardinality(changed) > 0 THEN
            PERFORM kairos_bm25_remove(changed);
            PERFORM kairos_bm25_add(changed);
        END IF;
    END IF;
    RETURN NULL;
END;
$$""",
    """CREATE TRIGGER notes_bm25_insert AFTER INSERT ON notes
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kairos_bm25_sync()""",
    """CREATE TRIGGER notes_bm25_update AFTER UPDATE ON notes
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION kairos_bm25_sync()""",
    """CREATE TRIGGER notes_bm25_delete AFTER DELETE ON notes
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION kairos_bm25_sync()""",
]


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    ]


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")

    op.create_table(
        "embedding_model",
        sa.Column("id", sa.SmallInteger, primary_key=True, server_default="1"),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("dimension", sa.Integer, nullable=False),
        sa.Column(
            "recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.CheckConstraint("id = 1", name="ck_embedding_model_single_row"),
    )
    op.create_table(
        "projects",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("parent_id", sa.BigInteger, sa.ForeignKey("projects.id", ondelete="SET NULL")),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.CheckConstraint(
            "parent_id IS NULL OR parent_id <> id", name="ck_projects_not_own_parent"
        ),
    )
    op.execute(
        "CREATE UNIQUE INDEX ux_projects_parent_name "
        "ON projects (coalesce(parent_id, 0), lower(name))"
    )
    op.create_table(
        "sources",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("author", sa.Text),
    )
    op.create_table(
        "keywords",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("name", sa.Text, nullable=False, unique=True),
    )
    op.create_table(
        "notes",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False, server_default=""),
        sa.Column("external_id", sa.Text, unique=True),
        sa.Column("project_id", sa.BigInteger, sa.ForeignKey("projects.id", ondelete="SET NULL")),
        sa.Column("source_id", sa.BigInteger, sa.ForeignKey("sources.id", ondelete="SET NULL")),
        *_timestamps(),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("content_hash", sa.Text, nullable=False),
        sa.Column("search_tsv", TSVECTOR),
        sa.Column("embedding", Vector(DIMENSION)),
    )
    op.execute("CREATE UNIQUE INDEX ux_notes_title_key ON notes (lower(title))")
    op.create_index("ix_notes_updated_at", "notes", ["updated_at"])
    op.create_index("ix_notes_created_at", "notes", ["created_at"])
    op.create_index("ix_notes_project_id", "notes", ["project_id"])
    op.create_index("ix_notes_search_tsv", "notes", ["search_tsv"], postgresql_using="gin")
    op.execute(
        "CREATE INDEX ix_notes_embedding_hnsw ON notes USING hnsw (embedding vector_cosine_ops)"
    )

    op.create_table(
        "note_keywords",
        sa.Column(
            "note_id",
            sa.BigInteger,
            sa.ForeignKey("notes.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "keyword_id",
            sa.BigInteger,
            sa.ForeignKey("keywords.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    op.create_index("ix_note_keywords_keyword_id", "note_keywords", ["keyword_id"])

    op.create_table(
        "note_chunks",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column(
            "note_id", sa.BigInteger, sa.ForeignKey("notes.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("ordinal", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("content_hash", sa.Text, nullable=False),
        sa.Column("embedding", Vector(DIMENSION)),
        sa.UniqueConstraint("note_id", "ordinal", name="uq_note_chunks_note_ordinal"),
    )
    op.execute(
        "CREATE INDEX ix_note_chunks_embedding_hnsw ON note_chunks "
        "USING hnsw (embedding vector_cosine_ops)"
    )

    op.create_table(
        "note_links",
        sa.Column(
            "source_note_id",
            sa.BigInteger,
            sa.ForeignKey("notes.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("target_key", sa.Text, primary_key=True),
        sa.Column("target_title", sa.Text, nullable=False),
    )
    op.create_index("ix_note_links_target_key", "note_links", ["target_key"])

    op.create_table(
        "bm25_terms",
        sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
        # "C" collation: a plain btree then serves prefix look-ups (term LIKE 'canc%').
        sa.Column("term", sa.Text(collation="C"), nullable=False, unique=True),
        sa.Column("df", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "bm25_postings",
        sa.Column("term_id", sa.Integer, primary_key=True),
        sa.Column("note_id", sa.BigInteger, primary_key=True),
        sa.Column("tf_title", sa.REAL, nullable=False),
        sa.Column("tf_body", sa.REAL, nullable=False),
        sa.Column("len_title", sa.REAL, nullable=False),
        sa.Column("len_body", sa.REAL, nullable=False),
    )
    op.create_index("ix_bm25_postings_note_id", "bm25_postings", ["note_id"])
    op.create_table(
        "bm25_stats",
        sa.Column("id", sa.SmallInteger, primary_key=True, server_default="1"),
        sa.Column("doc_count", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("sum_len_title", sa.Double, nullable=False, server_default="0"),
        sa.Column("sum_len_body", sa.Double, nullable=False, server_default="0"),
        sa.CheckConstraint("id = 1", name="ck_bm25_stats_single_row"),
    )
    op.execute("INSERT INTO bm25_stats (id) VALUES (1)")
    # One statement per call: asyncpg prepares each and refuses several at once.
    for statement in BM25_FUNCTIONS:
        op.execute(statement)


def downgrade() -> None:
    for trigger in ("notes_bm25_insert", "notes_bm25_update", "notes_bm25_delete"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON notes")
    op.execute("DROP FUNCTION IF EXISTS kairos_bm25_sync()")
    op.execute("DROP FUNCTION IF EXISTS kairos_bm25_add(bigint[])")
    op.execute("DROP FUNCTION IF EXISTS kairos_bm25_remove(bigint[])")
    for table in (
        "bm25_stats",
        "bm25_postings",
        "bm25_terms",
        "note_links",
        "note_chunks",
        "note_keywords",
        "notes",
        "keywords",
        "sources",
        "projects",
        "embedding_model",
    ):
        op.drop_table(table)
    # The extension is left installed: other databases' objects may use it, and
    # dropping it needs more privileges than a migration should assume.
