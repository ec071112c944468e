"""A stored note's related notes run as statements prepared once per connection: the same
results through psycopg2 and asyncpg, every change seen at the next call, nothing but
numbers rendered into SQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import text

from pkm_core.application.use_cases import async_search
from pkm_core.application.use_cases.notes import update_note
from pkm_core.application.use_cases.related import hide_related, pin_related, related_notes
from pkm_core.bootstrap import DatabaseUrls
from pkm_core.domain.note import Note, NoteDraft
from pkm_core.infrastructure.persistence import related_statements as sql
from pkm_core.infrastructure.persistence.prepared import _prepared, run_prepared
from pkm_core.infrastructure.persistence.unit_of_work import (
    AsyncSQLAlchemyUnitOfWork,
    SyncSQLAlchemyUnitOfWork,
)
from tests.fakes import FakeEmbedder
from tests.integration.search.conftest import UowFactory

AddNote = Callable[..., Note]


def test_a_note_s_statements_are_prepared_once_per_connection_with_one_generic_plan(
    uow: UowFactory, add: AddNote
) -> None:
    bees = add("Bees", "honey bees pollinate clover [[Clover]]")
    clover = add("Clover", "clover feeds honey bees")
    candidates = _prepared(sql.note_candidates(True, False, 24))
    names = [candidates.name, _prepared(sql.note_passages()).name]
    plans = text(
        "SELECT name, generic_plans, custom_plans FROM pg_prepared_statements"
        " WHERE name = ANY(:names) ORDER BY name"
    )
    with uow() as u:  # one unit of work: one connection
        first = u.notes.related_candidates(bees.id, 24)
        assert list(u.notes.closest_passages(bees.id, [clover.id])) == [clover.id]
        for _ in range(7):  # past PostgreSQL's five custom plans, were they allowed
            assert u.notes.related_candidates(bees.id, 24) == first
            assert list(u.notes.closest_passages(bees.id, [clover.id])) == [clover.id]
        found = u.session.execute(plans, {"names": names}).all()
    assert sorted(r.name for r in found) == sorted(names)
    assert all(r.generic_plans >= 8 and r.custom_plans == 0 for r in found), found
    assert first is not None and [c.title for c in first] == ["Clover"]
    # The generic plan knows how many nearest notes it reads: for `LIMIT $k` PostgreSQL
    # guesses a tenth of the notes, and at 100k hash-joined them with every live note.
    assert "LIMIT 24)" in candidates.prepare.replace("\n", " ")


def test_edits_pins_and_hides_show_at_the_next_call(
    uow: UowFactory, add: AddNote, fake_embedder: FakeEmbedder
) -> None:
    bees = add("Bees", "honey bees pollinate clover")
    clover = add("Clover", "clover feeds honey bees")
    granite = add("Granite", "granite is an igneous rock")
    for _ in range(6):
        assert [r.title for r in related_notes(uow(), bees.id)] == ["Clover", "Granite"]
    pin_related(uow(), bees.id, granite.id)
    pinned = related_notes(uow(), bees.id)[0]
    assert (pinned.title, pinned.pinned) == ("Granite", True)
    hide_related(uow(), bees.id, clover.id)
    assert [r.title for r in related_notes(uow(), bees.id)] == ["Granite"]
    edited = update_note(
        uow(), fake_embedder, granite.id, NoteDraft(title="Granite", body="[[Bees]]"), 1
    )
    why = related_notes(uow(), bees.id)[0].why
    assert edited.title == "Granite" and why is not None and why.link == "direct"


async def test_the_async_twin_finds_the_same_related_notes_through_asyncpg(
    clean_database: DatabaseUrls, uow: UowFactory, add: AddNote
) -> None:
    bees = add("Bees", "honey bees pollinate clover")
    add("Clover", "clover feeds honey bees")
    add("Granite", "granite is an igneous rock")
    expected = related_notes(uow(), bees.id)
    assert [r.title for r in expected] == ["Clover", "Granite"]
    for _ in range(7):
        async_uow = AsyncSQLAlchemyUnitOfWork(clean_database.async_url)
        assert await async_search.related_notes(async_uow, bees.id) == expected


def test_only_numbers_are_rendered_into_a_prepared_call(clean_database: DatabaseUrls) -> None:
    with SyncSQLAlchemyUnitOfWork(clean_database.sync_url) as u:
        connection = u.session.connection()
        with pytest.raises(TypeError):
            run_prepared(connection, sql.note_passages(), {"note_id": "1; DROP TABLE notes"})
        none = run_prepared(connection, sql.note_passages(), {"note_id": 1, "other_ids": []})
        assert list(none) == []
