"""BM25 collection statistics without a hot row: writers append deltas, folded later.

Until now every write transaction locked the single bm25_stats row (and updated the df of
each of its terms in bm25_terms) from its first note write until commit, so all writers
queued behind one another. Now a writer only appends:

- one row to bm25_stats_delta (documents and lengths it added or removed),
- one row per term to bm25_term_delta (df change),
- its postings, and the terms new to the vocabulary (INSERT ... ON CONFLICT DO NOTHING in
  term order, so two writers adding the same new words cannot deadlock in one statement).

Whichever writer gets `pg_try_advisory_xact_lock` (never waiting for it) folds the pending
deltas of committed transactions into bm25_stats / bm25_terms.df; the others skip. A
search reads base + pending deltas in one snapshot, so its statistics are exact.

Revision ID: 0011_bm25_stats_deltas
Revises: 0009_vault_model
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from pkm_core.infrastructure.persistence.revisions import revision_module

revision: str = "0011_bm25_stats_deltas"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The key of the fold's advisory lock (an arbitrary constant: "kairos" in ASCII).
FOLD_LOCK = 0x6B6169726F73

IMPACT = (
    "((lex.tf_body + 2 * lex.tf_title) * 1.9 / ((lex.tf_body + 2 * lex.tf_title) "
    "+ 0.9 * (0.6 + 0.4 * (lens.len_body + 2 * lens.len_title) / average.avgdl)))::real"
)

LEX = """
        SELECT n.id AS note_id, u.lexeme,
               count(*) FILTER (WHERE w = 'A')::real AS tf_title,
               count(*) FILTER (WHERE w <> 'A')::real AS tf_body
        FROM notes n
        CROSS JOIN LATERAL unnest(n.search_tsv) AS u(lexeme, positions, weights)
        CROSS JOIN LATERAL unnest(u.weights) AS w
        WHERE n.id = ANY(ids)
        GROUP BY n.id, u.lexeme"""

BM25_ADD = f"""
CREATE OR REPLACE FUNCTION kairos_bm25_add(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    -- Words new to the vocabulary, in term order. Words already there are left alone
    -- (never locked): a writer only waits for another adding the same new word.
    INSERT INTO bm25_terms (term, df)
    SELECT DISTINCT u.lexeme, 0
    FROM notes n CROSS JOIN LATERAL unnest(tsvector_to_array(n.search_tsv)) AS u(lexeme)
    WHERE n.id = ANY(ids)
      AND NOT EXISTS (SELECT 1 FROM bm25_terms t WHERE t.term = u.lexeme)
    ORDER BY u.lexeme
    ON CONFLICT (term) DO NOTHING;

    -- A new statement: its snapshot sees every word inserted above or by a writer we
    -- waited for.
    WITH lex AS ({LEX}
    ),
    lens AS (
        SELECT note_id, sum(tf_title) AS len_title, sum(tf_body) AS len_body
        FROM lex GROUP BY note_id
    ),
    average AS (
        SELECT greatest(
            (st.sum_len_body + 2 * st.sum_len_title
             + coalesce((SELECT sum(len_body + 2 * len_title) FROM lens), 0))
            / greatest(st.doc_count + (SELECT count(*) FROM lens), 1), 1) AS avgdl
        FROM bm25_stats_now st
    ),
    posted AS (
        INSERT INTO bm25_postings
            (term_id, note_id, tf_title, tf_body, len_title, len_body, impact_ref)
        SELECT t.id, lex.note_id, lex.tf_title, lex.tf_body, lens.len_title, lens.len_body,
               {IMPACT}
        FROM lex JOIN bm25_terms t ON t.term = lex.lexeme JOIN lens USING (note_id)
        CROSS JOIN average
        RETURNING term_id
    ),
    df AS (
        INSERT INTO bm25_term_delta (term_id, delta)
        SELECT term_id, count(*)::int FROM posted GROUP BY term_id
    )
    INSERT INTO bm25_stats_delta (doc_count, sum_len_title, sum_len_body)
    SELECT count(*), coalesce(sum(len_title), 0), coalesce(sum(len_body), 0) FROM lens
    HAVING count(*) > 0;
END;
$$"""

BM25_REMOVE = """
CREATE OR REPLACE FUNCTION kairos_bm25_remove(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    WITH gone AS (
        DELETE FROM bm25_postings WHERE note_id = ANY(ids)
        RETURNING term_id, note_id, len_title, len_body
    ),
    df AS (
        INSERT INTO bm25_term_delta (term_id, delta)
        SELECT term_id, -count(*)::int FROM gone GROUP BY term_id
    ),
    lens AS (SELECT DISTINCT note_id, len_title, len_body FROM gone)
    INSERT INTO bm25_stats_delta (doc_count, sum_len_title, sum_len_body)
    SELECT -count(*), -coalesce(sum(len_title), 0), -coalesce(sum(len_body), 0) FROM lens
    HAVING count(*) > 0;
$$"""

BM25_FOLD = f"""
CREATE OR REPLACE FUNCTION kairos_bm25_fold() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- One folder at a time, and nobody ever waits for it: a busy lock means skip.
    IF NOT pg_try_advisory_xact_lock({FOLD_LOCK}) THEN
        RETURN;
    END IF;
    WITH d AS (DELETE FROM bm25_stats_delta RETURNING *)
    UPDATE bm25_stats s SET
        doc_count = s.doc_count + t.doc_count,
        sum_len_title = s.sum_len_title + t.sum_len_title,
        sum_len_body = s.sum_len_body + t.sum_len_body
    FROM (SELECT sum(doc_count) AS doc_count, sum(sum_len_title) AS sum_len_title,
                 sum(sum_len_body) AS sum_len_body FROM d HAVING count(*) > 0) t
    WHERE s.id = 1;
    WITH d AS (DELETE FROM bm25_term_delta RETURNING term_id, delta),
    total AS (SELECT term_id, sum(delta)::int AS delta FROM d GROUP BY term_id)
    UPDATE bm25_terms t SET df = t.df + total.delta
    FROM total WHERE t.id = total.term_id AND total.delta <> 0;
END;
$$"""

BM25_SYNC = """
CREATE OR REPLACE FUNCTION kairos_bm25_sync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed bigint[];
BEGIN
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
    PERFORM kairos_bm25_fold();
    RETURN NULL;
END;
$$"""

STATS_NOW = """
CREATE VIEW bm25_stats_now AS
SELECT s.doc_count + coalesce(d.doc_count, 0) AS doc_count,
       s.sum_len_title + coalesce(d.sum_len_title, 0) AS sum_len_title,
       s.sum_len_body + coalesce(d.sum_len_body, 0) AS sum_len_body
FROM bm25_stats s
CROSS JOIN (SELECT sum(doc_count) AS doc_count, sum(sum_len_title) AS sum_len_title,
                   sum(sum_len_body) AS sum_len_body FROM bm25_stats_delta) d
WHERE s.id = 1
"""


def upgrade() -> None:
    op.create_table(
        "bm25_stats_delta",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("doc_count", sa.BigInteger, nullable=False),
        sa.Column("sum_len_title", sa.Double, nullable=False),
        sa.Column("sum_len_body", sa.Double, nullable=False),
    )
    op.create_table(
        "bm25_term_delta",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("term_id", sa.Integer, nullable=False),
        sa.Column("delta", sa.Integer, nullable=False),
    )
    op.create_index("ix_bm25_term_delta_term_id", "bm25_term_delta", ["term_id"])
    op.execute(STATS_NOW)
    for statement in (BM25_ADD, BM25_REMOVE, BM25_FOLD, BM25_SYNC):
        op.execute(statement)


def downgrade() -> None:
    op.execute("SELECT kairos_bm25_fold()")  # nothing pending is lost
    initial = revision_module("0001_initial_schema")
    op.execute(revision_module("0002_bm25_impact_order").BM25_ADD)
    remove, sync = initial.BM25_FUNCTIONS[1], initial.BM25_FUNCTIONS[2]
    op.execute(remove.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
    op.execute(sync.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
    op.execute("DROP FUNCTION IF EXISTS kairos_bm25_fold()")
    op.execute("DROP VIEW IF EXISTS bm25_stats_now")
    op.drop_table("bm25_term_delta")
    op.drop_table("bm25_stats_delta")
