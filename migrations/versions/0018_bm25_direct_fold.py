"""BM25 statistics: the writer holding the fold lock changes them directly, no deltas.

Since 0011 every write appended a df delta per term (about 100 rows a note) and a stats
delta, and then, holding the fold lock, deleted them again to add them up. The DELETE
reads the table's dead rows too, and between autovacuum runs they pile up: at 100k notes
the fold went from 0.5 to 3–5 ms a save in a benchmark's short-lived server
(docs/PERFORMANCE.md, "the save regression"). The lock holder is the only writer that
ever updates bm25_terms.df and bm25_stats, so it may as well add its own changes there at
once. A writer that finds the lock busy appends deltas as before, and nobody waits.

Revision ID: 0018_bm25_direct_fold
Revises: 0017_postings_by_note
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

from pkm_core.infrastructure.persistence.revisions import revision_module

revision: str = "0018_bm25_direct_fold"
down_revision: str | None = "0017_postings_by_note"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_0011 = revision_module("0011_bm25_stats_deltas")
_0017 = revision_module("0017_postings_by_note")
LOCK = f"pg_try_advisory_xact_lock({_0011.FOLD_LOCK})"  # re-entrant within a transaction

ADD_START = "LANGUAGE plpgsql AS $$\nBEGIN\n"
ADD_DIRECT_START = f"LANGUAGE plpgsql AS $$\nDECLARE\n    direct boolean := {LOCK};\nBEGIN\n"
ADD_DELTAS = """    df AS (
        INSERT INTO bm25_term_delta (term_id, delta)
        SELECT term_id, count(*)::int FROM posted GROUP BY term_id
    )
    INSERT INTO bm25_stats_delta (doc_count, sum_len_title, sum_len_body)
    SELECT count(*), coalesce(sum(len_title), 0), coalesce(sum(len_body), 0) FROM lens
    HAVING count(*) > 0;
"""


def _applied(sign: str) -> str:
    """The tail of a WITH over `counted` (term_id, delta) and `lens` (note_id, len_title,
    len_body): the counts added (sign "") or removed (sign "-"), straight into bm25_terms
    and bm25_stats when `direct`, else as deltas."""
    return f"""    df AS (
        INSERT INTO bm25_term_delta (term_id, delta)
        SELECT term_id, delta FROM counted WHERE NOT direct
    ),
    df_now AS (
        UPDATE bm25_terms t SET df = t.df + c.delta
        FROM counted c WHERE direct AND t.id = c.term_id
    ),
    totals AS (
        SELECT {sign}count(*) AS doc_count, {sign}coalesce(sum(len_title), 0) AS sum_len_title,
               {sign}coalesce(sum(len_body), 0) AS sum_len_body
        FROM lens HAVING count(*) > 0
    ),
    stats_delta AS (
        INSERT INTO bm25_stats_delta (doc_count, sum_len_title, sum_len_body)
        SELECT doc_count, sum_len_title, sum_len_body FROM totals WHERE NOT direct
    )
    UPDATE bm25_stats s SET doc_count = s.doc_count + t.doc_count,
        sum_len_title = s.sum_len_title + t.sum_len_title,
        sum_len_body = s.sum_len_body + t.sum_len_body
    FROM totals t WHERE direct AND s.id = 1;
"""


ADD_DIRECT = (
    "    counted AS (\n"
    "        SELECT term_id, count(*)::int AS delta FROM posted GROUP BY term_id\n"
    "    ),\n" + _applied("")
)

BM25_REMOVE = f"""
CREATE OR REPLACE FUNCTION kairos_bm25_remove(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    direct boolean := {LOCK};
BEGIN
    WITH gone AS (
        DELETE FROM bm25_postings WHERE note_id = ANY(ids)
        RETURNING term_id, note_id, len_title, len_body
    ),
    counted AS (SELECT term_id, -count(*)::int AS delta FROM gone GROUP BY term_id),
    lens AS (SELECT DISTINCT note_id, len_title, len_body FROM gone),
{_applied("-")}END;
$$"""


def _bm25_add_direct() -> str:
    add: str = _0017._bm25_add(ordered=True)
    assert add.count(ADD_START) == 1 and add.count(ADD_DELTAS) == 1, "not 0017's kairos_bm25_add"
    return add.replace(ADD_START, ADD_DIRECT_START).replace(ADD_DELTAS, ADD_DIRECT)


def upgrade() -> None:
    op.execute(_bm25_add_direct())
    op.execute(BM25_REMOVE)


def downgrade() -> None:
    op.execute(_0017._bm25_add(ordered=True))
    op.execute(_0011.BM25_REMOVE)
