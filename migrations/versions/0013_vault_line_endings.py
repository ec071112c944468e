"""Mixed line endings of a vault file: `note_vault.line_endings`, one code per line break
(`n` = LF, `r` = CRLF, `c` = CR), so a file mixing them is exported byte for byte. Empty
when every break is the row's `newline` (all files imported before this revision).

Revision ID: 0013_vault_line_endings
Revises: 0010_search_trust
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_vault_line_endings"
down_revision: str | None = "0010_search_trust"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "note_vault", sa.Column("line_endings", sa.Text, nullable=False, server_default="")
    )


def downgrade() -> None:
    op.drop_column("note_vault", "line_endings")
