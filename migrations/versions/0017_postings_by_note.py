"""BM25 postings keyed by (note, term): one B-tree fewer per posting, written at its end.

Each posting went into three B-trees: the primary key (term_id, note_id), the note_id index
and the impact-ordered covering index of 0002. A posting of a new note landed at a random
place of the (term_id, note_id) key (one leaf per term: ~100 random leaves a note, 227 MB
at 100k notes), the main database cost of an import. Its readers:

- keyword search's ordered walk reads the covering index (term_id, impact_ref DESC), and
  so does its test whether a term has more postings than the walk reads (`cut`);
- the rescoring of cut terms looks up (note_id = candidate, term_id = query term);
- `kairos_bm25_remove` deletes by note_id;
- nothing uses ON CONFLICT on postings; recounts per term read the covering index.

So the primary key becomes (note_id, term_id): it serves the rescoring look-up and the
deletes by note (the note_id index goes), and a new note's postings (new ids are the
largest) go to the right-hand end of it instead of a hundred random leaves. The postings
are inserted in term order, so consecutive entries of the covering index share leaves.

Revision ID: 0017_postings_by_note
Revises: 0016_filter_indexes
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

from pkm_core.infrastructure.persistence.revisions import revision_module

revision: str = "0017_postings_by_note"
down_revision: str | None = "0016_filter_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The postings' insert of 0011, and the same in term order.
UNORDERED = "        CROSS JOIN average\n        RETURNING term_id"
IN_TERM_ORDER = (
    "        CROSS JOIN average\n        ORDER BY t.id, lex.note_id\n        RETURNING term_id"
)


def _bm25_add(ordered: bool) -> str:
    add: str = revision_module("0011_bm25_stats_deltas").BM25_ADD
    assert add.count(UNORDERED) == 1, "0011's kairos_bm25_add is not the one this expects"
    return add.replace(UNORDERED, IN_TERM_ORDER) if ordered else add


def upgrade() -> None:
    op.execute("ALTER TABLE bm25_postings DROP CONSTRAINT bm25_postings_pkey")
    op.execute("DROP INDEX IF EXISTS ix_bm25_postings_note_id")
    op.execute(
        "ALTER TABLE bm25_postings ADD CONSTRAINT bm25_postings_pkey PRIMARY KEY (note_id, term_id)"
    )
    op.execute(_bm25_add(ordered=True))


def downgrade() -> None:
    op.execute(_bm25_add(ordered=False))
    op.execute("ALTER TABLE bm25_postings DROP CONSTRAINT bm25_postings_pkey")
    op.execute(
        "ALTER TABLE bm25_postings ADD CONSTRAINT bm25_postings_pkey PRIMARY KEY (term_id, note_id)"
    )
    op.execute("CREATE INDEX ix_bm25_postings_note_id ON bm25_postings (note_id)")
