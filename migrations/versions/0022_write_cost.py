"""A note's write costs less: the BM25 functions keep their plans, and an unread index goes.

1. **Generic plans for the BM25 functions.** plpgsql caches each statement's plan, but
   under the default `plan_cache_mode = auto` a statement with a parameter (`ids`) is
   planned anew on every call as long as the generic plan's estimated cost is not below
   the custom plans' (it never was here). `kairos_bm25_add`'s two statements are a large
   WITH of joins over notes, bm25_terms and bm25_stats_now: at 100k notes, one note's
   trigger took 2.1 ms p50 (3.3–4.4 mean) replanned and 1.3 ms (1.6–2.6 mean) with its
   generic plan, the same for 64 or 2,000 notes a statement (docs/PERFORMANCE.md, "Issue 12,
   session 6: the per-note write cost"). The generic plan is the one for a handful of
   notes (nested loops over the primary keys), which is also right for an import's batch.
   The setting is attached to each function (`ALTER FUNCTION … SET`), so it holds however
   a function is reached and nothing else in the session changes. A later
   `CREATE OR REPLACE FUNCTION` drops it: a revision replacing one of these functions
   must set it again (tests/integration/persistence/test_write_cost.py checks the head).
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

GENERIC_PLAN_FUNCTIONS = (
    "kairos_bm25_add(bigint[])",
    "kairos_bm25_remove(bigint[])",
    "kairos_bm25_fold()",
    "kairos_bm25_sync()",
)


def upgrade() -> None:
    for function in GENERIC_PLAN_FUNCTIONS:
        op.execute(f"ALTER FUNCTION {function} SET plan_cache_mode = force_generic_plan")
    op.drop_index("ix_notes_search_tsv", table_name="notes")


def downgrade() -> None:
    op.create_index("ix_notes_search_tsv", "notes", ["search_tsv"], postgresql_using="gin")
    for function in GENERIC_PLAN_FUNCTIONS:
        op.execute(f"ALTER FUNCTION {function} RESET plan_cache_mode")
