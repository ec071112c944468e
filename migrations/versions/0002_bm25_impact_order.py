"""BM25 postings in impact order: keyword search reads the best postings of each term first.

A query term's postings are read through a covering index in order of a reference BM25
impact (term weight without IDF, computed when the posting is written), so a query reads
at most a bounded number of postings per term instead of every note holding the word.
The score itself is still computed exactly from tf and length at query time; the stored
impact only decides reading order, so its slowly drifting average length does no harm.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The reference parameters of the stored impact (k1, b, title weight); the query's own
# parameters may differ slightly without harm (they only change which postings come first).
IMPACT = (
    "(({tf_body} + 2 * {tf_title}) * 1.9 / (({tf_body} + 2 * {tf_title}) "
    "+ 0.9 * (0.6 + 0.4 * ({len_body} + 2 * {len_title}) / {avgdl})))::real"
)


def _impact(prefix: str, lens: str, avgdl: str) -> str:
    return IMPACT.format(
        tf_body=f"{prefix}.tf_body",
        tf_title=f"{prefix}.tf_title",
        len_body=f"{lens}.len_body",
        len_title=f"{lens}.len_title",
        avgdl=avgdl,
    )


BM25_ADD = f"""
CREATE OR REPLACE FUNCTION kairos_bm25_add(ids bigint[]) RETURNS void LANGUAGE sql AS $$
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
    average AS (
        SELECT greatest(
            (s.sum_len_body + 2 * s.sum_len_title
             + coalesce((SELECT sum(len_body + 2 * len_title) FROM lens), 0))
            / greatest(s.doc_count + (SELECT count(*) FROM lens), 1),
            1) AS avgdl
        FROM bm25_stats s WHERE s.id = 1
    ),
    posted AS (
        INSERT INTO bm25_postings
            (term_id, note_id, tf_title, tf_body, len_title, len_body, impact_ref)
        SELECT ti.id, lex.note_id, lex.tf_title, lex.tf_body, lens.len_title, lens.len_body,
               {_impact("lex", "lens", "average.avgdl")}
        FROM lex JOIN term_ids ti ON ti.term = lex.lexeme JOIN lens USING (note_id)
        CROSS JOIN average
    )
    UPDATE bm25_stats SET
        doc_count = doc_count + (SELECT count(*) FROM lens),
        sum_len_title = sum_len_title + coalesce((SELECT sum(len_title) FROM lens), 0),
        sum_len_body = sum_len_body + coalesce((SELECT sum(len_body) FROM lens), 0)
    WHERE id = 1;
$$"""

# 0001's version, restored by the downgrade.
BM25_ADD_0001 = """
CREATE OR REPLACE FUNCTION kairos_bm25_add(ids bigint[]) RETURNS void LANGUAGE sql AS $$
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
$$"""


def upgrade() -> None:
    op.add_column(
        "bm25_postings",
        sa.Column("impact_ref", sa.REAL, nullable=False, server_default="0"),
    )
    average = (
        "(SELECT greatest((sum_len_body + 2 * sum_len_title) / greatest(doc_count, 1), 1) "
        "FROM bm25_stats WHERE id = 1)"
    )
    op.execute(f"UPDATE bm25_postings p SET impact_ref = {_impact('p', 'p', average)}")
    op.execute(
        "CREATE INDEX ix_bm25_postings_term_impact ON bm25_postings "
        "(term_id, impact_ref DESC) INCLUDE (note_id, tf_title, tf_body, len_title, len_body)"
    )
    op.execute(BM25_ADD)


def downgrade() -> None:
    op.execute(BM25_ADD_0001)
    op.execute("DROP INDEX IF EXISTS ix_bm25_postings_term_impact")
    op.drop_column("bm25_postings", "impact_ref")
