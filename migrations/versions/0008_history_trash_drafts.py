"""History, trash, drafts and idempotent creates.

- `notes.deleted_at`: a deleted note waits in the trash (soft delete). A trashed note has
  no search vector, postings or chunks (so no search mode and no related-notes lookup
  can reach it); its keywords and links stay, and a restore rebuilds the rest. The title
  index only covers live notes, so a title in the trash can be used again.
- `notes.create_token`: the token of the form that created the note; a repeated create
  with the same token finds the note instead of making a second one.
- `note_revisions`: every superseded version of a note (the current one is the note
  itself). Large bodies are stored as a line delta against the next newer version, with
  a full copy every 16 versions, so rebuilding one reads at most 16 rows.
- `note_drafts`: what is being typed, per note ("note:<id>") or per new-note form
  ("new:<token>"), offered back after a reload or a crash.

Revision ID: 0008
Revises: 0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision: str = "0008"
down_revision: str | None = "0009_vault_model"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("notes", sa.Column("deleted_at", sa.DateTime(timezone=True)))
    op.add_column("notes", sa.Column("create_token", sa.Text))
    op.execute("CREATE UNIQUE INDEX ux_notes_create_token ON notes (create_token)")
    op.execute("DROP INDEX ux_notes_title_key")
    op.execute(
        "CREATE UNIQUE INDEX ux_notes_title_key ON notes (lower(title)) WHERE deleted_at IS NULL"
    )
    op.execute(
        "CREATE INDEX ix_notes_deleted_at ON notes (deleted_at) WHERE deleted_at IS NOT NULL"
    )
    op.create_table(
        "note_revisions",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column(
            "note_id",
            sa.BigInteger,
            sa.ForeignKey("notes.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text),  # the full text, or NULL when `body_delta` holds it
        sa.Column("body_delta", JSONB),  # pieces rebuilding it from the next newer version
        sa.Column("keywords", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("project_id", sa.BigInteger),
        sa.Column("source_id", sa.BigInteger),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("note_id", "version", name="ux_note_revisions_version"),
        sa.CheckConstraint(
            "(body IS NULL) <> (body_delta IS NULL)", name="ck_note_revisions_one_body"
        ),
    )
    op.create_table(
        "note_drafts",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("note_id", sa.BigInteger, sa.ForeignKey("notes.id", ondelete="CASCADE")),
        sa.Column("base_version", sa.Integer),
        sa.Column("title", sa.Text, nullable=False, server_default=""),
        sa.Column("body", sa.Text, nullable=False, server_default=""),
        sa.Column("keywords", sa.Text, nullable=False, server_default=""),
        sa.Column("project_id", sa.BigInteger),
        sa.Column("source_id", sa.BigInteger),
        sa.Column(
            "saved_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )
    op.create_index("ix_note_drafts_saved_at", "note_drafts", ["saved_at"])


def downgrade() -> None:
    op.drop_table("note_drafts")
    op.drop_table("note_revisions")
    # Trashed notes have no place in the older schema.
    op.execute("DELETE FROM notes WHERE deleted_at IS NOT NULL")
    op.execute("DROP INDEX ix_notes_deleted_at")
    op.execute("DROP INDEX ux_notes_title_key")
    op.execute("CREATE UNIQUE INDEX ux_notes_title_key ON notes (lower(title))")
    op.execute("DROP INDEX ux_notes_create_token")
    op.drop_column("notes", "create_token")
    op.drop_column("notes", "deleted_at")
