"""Migration 0016: the indexes a tag, project or date filter is read from alone."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from pkm_core.bootstrap import DatabaseUrls

EXPECTED = {
    "ix_notes_live_project": "(project_id, id) WHERE (deleted_at IS NULL)",
    "ix_notes_live_created": "(created_at, id) WHERE (deleted_at IS NULL)",
    "ix_notes_live_updated": "(updated_at, id) WHERE (deleted_at IS NULL)",
    "ix_notes_live_id": "(id) WHERE (deleted_at IS NULL)",
    "ix_note_keywords_keyword_note": "(keyword_id, note_id)",
}


def test_the_filter_indexes_cover_the_note_id_and_hold_only_notes_outside_the_trash(
    database: DatabaseUrls,
) -> None:
    engine = create_engine(database.sync_url)
    with engine.connect() as conn:
        definitions = dict(
            conn.execute(
                text("SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(:n)"),
                {"n": list(EXPECTED)},
            ).all()
        )
    engine.dispose()
    assert {name: d.split(" USING btree ")[1] for name, d in definitions.items()} == EXPECTED
