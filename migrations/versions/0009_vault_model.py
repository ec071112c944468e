"""The vault model: where an imported note came from, its aliases, and the vault's files.

- `note_vault`: one row per imported vault note: its path in the vault (unique; never
  changes), its file name (the name links find it by), the exact text before its body
  (front matter with its fences, byte for byte), the properties as ordered typed JSON,
  its line ending, the hash of the file it was read from (a re-import of an unchanged
  file is a no-op), and what Kairos manages as it was read (to write it back in its form).
- `note_aliases`: front matter `aliases`, valid link targets and found by name.
- `vault_attachments`: every other file of the vault (images, PDFs…) by its path, its
  bytes in the database (`bytea`): transactional with the notes, in the same backup, the
  same on an external server; a file over the attachment limit is not imported.

Revision ID: 0009_vault_model
Revises: 0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009_vault_model"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "note_vault",
        sa.Column(
            "note_id",
            sa.BigInteger,
            sa.ForeignKey("notes.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("path", sa.Text, nullable=False, unique=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("head", sa.Text, nullable=False, server_default=""),
        sa.Column("properties", postgresql.JSON, nullable=False, server_default="[]"),
        sa.Column("newline", sa.Text, nullable=False, server_default="\n"),
        sa.Column("file_hash", sa.Text, nullable=False),
        sa.Column("import_hash", sa.Text, nullable=False),
        sa.Column("managed", postgresql.JSON, nullable=False, server_default="{}"),
        sa.Column(
            "imported_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )
    op.create_index("ix_note_vault_name", "note_vault", [sa.text("lower(name)")])
    op.create_table(
        "note_aliases",
        sa.Column(
            "note_id",
            sa.BigInteger,
            sa.ForeignKey("notes.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("alias_key", sa.Text, primary_key=True),
        sa.Column("alias", sa.Text, nullable=False),
    )
    op.create_index("ix_note_aliases_key", "note_aliases", ["alias_key"])
    op.create_table(
        "vault_attachments",
        sa.Column("path", sa.Text, primary_key=True),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("media_type", sa.Text, nullable=False),
        sa.Column("data", postgresql.BYTEA, nullable=False),
        sa.Column(
            "imported_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )
    op.create_index("ix_vault_attachments_name", "vault_attachments", [sa.text("lower(path)")])


def downgrade() -> None:
    op.drop_table("vault_attachments")
    op.drop_table("note_aliases")
    op.drop_table("note_vault")
