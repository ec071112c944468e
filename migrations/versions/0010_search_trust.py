"""Search people can trust: each note's text search language, its folded title for exact
matches, and the pins and hides a person chose for related notes.

- `notes.text_config`: the PostgreSQL text search configuration the note's `search_tsv`
  was built with (its detected language; `simple` when unknown). Existing notes were
  built with `english`, which is the default here; a save or `kairos reindex` detects.
- `notes.title_folded`: the title accent-folded and lower-cased, so a query equal to a
  title comes first whatever its case and accents (no `unaccent` extension needed).
- `related_choices`: per note, another note pinned to the top of its related notes or
  hidden from them.

Revision ID: 0010_search_trust
Revises: 0009_vault_model
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from pkm_core.domain.text import fold_accents

revision: str = "0010_search_trust"
down_revision: str | None = "0011_bm25_stats_deltas"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5_000


def _backfill_folded_titles() -> None:
    bind = op.get_bind()
    notes = sa.table("notes", sa.column("id", sa.BigInteger), sa.column("title", sa.Text))
    folded = sa.table("notes", sa.column("id"), sa.column("title_folded"))
    after = 0
    while True:
        rows = bind.execute(
            sa.select(notes.c.id, notes.c.title)
            .where(notes.c.id > after)
            .order_by(notes.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        bind.execute(
            sa.update(folded)
            .where(folded.c.id == sa.bindparam("note_id"))
            .values(title_folded=sa.bindparam("key")),
            [{"note_id": r.id, "key": fold_accents(r.title).lower()} for r in rows],
        )
        after = rows[-1].id


def upgrade() -> None:
    op.add_column(
        "notes", sa.Column("text_config", sa.Text, nullable=False, server_default="english")
    )
    op.create_index("ix_notes_text_config", "notes", ["text_config"])
    op.add_column("notes", sa.Column("title_folded", sa.Text))
    _backfill_folded_titles()
    op.create_index("ix_notes_title_folded", "notes", ["title_folded"])
    op.create_table(
        "related_choices",
        sa.Column(
            "note_id",
            sa.BigInteger,
            sa.ForeignKey("notes.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "other_note_id",
            sa.BigInteger,
            sa.ForeignKey("notes.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("choice", sa.Text, nullable=False),
        sa.CheckConstraint("choice IN ('pinned', 'hidden')", name="ck_related_choices_choice"),
        sa.CheckConstraint("note_id <> other_note_id", name="ck_related_choices_other"),
    )
    op.create_index("ix_related_choices_other", "related_choices", ["other_note_id"])


def downgrade() -> None:
    op.drop_table("related_choices")
    op.drop_index("ix_notes_title_folded", table_name="notes")
    op.drop_column("notes", "title_folded")
    op.drop_index("ix_notes_text_config", table_name="notes")
    op.drop_column("notes", "text_config")
