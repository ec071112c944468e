"""Indexes that let a search filter be read from the index alone (issue 12).

A tag, project or date filter is materialised once per search (`note_sql.filtered_note_ids`)
and counted up to `exact_filter_limit` + 1 to choose an exact scan or the iterative HNSW
scan. Through `ix_notes_project_id` / `ix_notes_created_at` each matching note was a heap
fetch of a wide row (10,000 notes of a 10 % project: 9,555 heap blocks, 88 ms at 100k
notes). These partial covering indexes hold only live notes and carry the id, so the
filter is an index-only scan; `ix_note_keywords_keyword_note` does the same for a tag
(the existing keyword_id index cannot return the note), and `ix_notes_live_id` answers
"is this note live" for the notes of a tag without reading them.

Revision ID: 0016_filter_indexes
Revises: 0014_alias_folding
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016_filter_indexes"
down_revision: str | None = "0014_alias_folding"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_notes_live_project": "notes (project_id, id) WHERE deleted_at IS NULL",
    "ix_notes_live_created": "notes (created_at, id) WHERE deleted_at IS NULL",
    "ix_notes_live_updated": "notes (updated_at, id) WHERE deleted_at IS NULL",
    "ix_notes_live_id": "notes (id) WHERE deleted_at IS NULL",
    "ix_note_keywords_keyword_note": "note_keywords (keyword_id, note_id)",
}


def upgrade() -> None:
    for name, definition in INDEXES.items():
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def downgrade() -> None:
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
