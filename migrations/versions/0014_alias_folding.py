"""Aliases compared like titles: `note_aliases.alias_folded` is the alias accent-folded,
lower-cased and with its spaces collapsed (`search_syntax.title_key`, the key of
`notes.title_folded`), so a query "Cafe" finds the note whose alias is "Café" first.
`alias_key` (lower(alias), the link-resolution key and part of the primary key) is left
as it is.

Revision ID: 0014_alias_folding
Revises: 0013_vault_line_endings
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from pkm_core.domain.text import fold_accents

revision: str = "0014_alias_folding"
down_revision: str | None = "0013_vault_line_endings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key(alias: str) -> str:
    # The same key as search_syntax.title_key (a migration does not import the app's
    # persistence code, which may change after it).
    return " ".join(fold_accents(alias).lower().split())


def upgrade() -> None:
    op.add_column("note_aliases", sa.Column("alias_folded", sa.Text))
    bind = op.get_bind()
    aliases = sa.table(
        "note_aliases",
        sa.column("note_id", sa.BigInteger),
        sa.column("alias_key", sa.Text),
        sa.column("alias", sa.Text),
        sa.column("alias_folded", sa.Text),
    )
    rows = bind.execute(sa.select(aliases.c.note_id, aliases.c.alias_key, aliases.c.alias)).all()
    if rows:  # aliases are a few per note: one pass
        bind.execute(
            sa.update(aliases)
            .where(
                aliases.c.note_id == sa.bindparam("nid"),
                aliases.c.alias_key == sa.bindparam("akey"),
            )
            .values(alias_folded=sa.bindparam("folded")),
            [{"nid": r.note_id, "akey": r.alias_key, "folded": _key(r.alias)} for r in rows],
        )
    op.create_index("ix_note_aliases_folded", "note_aliases", ["alias_folded"])


def downgrade() -> None:
    op.drop_index("ix_note_aliases_folded", table_name="note_aliases")
    op.drop_column("note_aliases", "alias_folded")
