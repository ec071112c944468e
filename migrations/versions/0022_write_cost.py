"""A note's write costs less: BM25's add and fold keep their plans, and an unread index goes.

1. **Generic plans for `kairos_bm25_add` and `kairos_bm25_fold`.** plpgsql caches each
   statement's plan, but under the default `plan_cache_mode = auto` a statement with a
   parameter (`ids`) is planned anew on every call while the generic plan's estimated cost
   is not below the custom plans' (it never was here). `kairos_bm25_add`'s two statements
   are a large WITH of joins over notes, bm25_terms and bm25_stats_now; their generic plan
   (for "about 10 notes") is nested loops over primary keys, right for one saved note and
   for an import's batch alike. At 100k notes one note's INSERT trigger took 2.1 ms p50
   replanned and 1.3 ms generic, the same for 64 or 2,000 notes a statement
   (docs/PERFORMANCE.md, "Issue 12, session 6: the per-note write cost (helper E)").
   The setting is attached to the function (`ALTER FUNCTION … SET`), and such a setting
   holds for everything the function calls: so not on `kairos_bm25_sync` (it would reach
   `kairos_bm25_remove`), and not on `kairos_bm25_remove`: with it, the benchmark's edit
   went from ~20 to ~50 ms (its generic plan, for 560 postings, hash-joins a sequential
   scan of all of bm25_terms to update df). A later `CREATE OR REPLACE FUNCTION`
   of add or fold drops the setting: such a revision must set it again
   (tests/integration/persistence/test_write_cost.py checks the head).
2. **`ix_notes_search_tsv` (GIN over notes.search_tsv, 0001) is dropped.** Nothing reads
   it: keyword search reads bm25_postings, and the one `@@` left (a query's quoted
   phrase or excluded word, `search_syntax._matches`) compares with a tsquery built in
   each note's own language (`text_config`), which depends on the row, so the planner
   can never use the index (EXPLAIN: a sequential scan with the filter). Every note
   written still put ~100 entries into it (54 MB at 100k notes).

Revision ID: 0022_write_cost
Revises: 0018_bm25_direct_fold
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0022_write_cost"
down_revision: str | None = "0018_bm25_direct_fold"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENERIC_PLAN_FUNCTIONS = ("kairos_bm25_add(bigint[])", "kairos_bm25_fold()")


def upgrade() -> None:
    for function in GENERIC_PLAN_FUNCTIONS:
        op.execute(f"ALTER FUNCTION {function} SET plan_cache_mode = force_generic_plan")
    op.drop_index("ix_notes_search_tsv", table_name="notes")


def downgrade() -> None:
    op.create_index("ix_notes_search_tsv", "notes", ["search_tsv"], postgresql_using="gin")
    for function in GENERIC_PLAN_FUNCTIONS:
        op.execute(f"ALTER FUNCTION {function} RESET plan_cache_mode")
