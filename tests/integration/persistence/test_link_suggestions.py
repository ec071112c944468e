"""The notes a `[[` being typed offers, on a real PostgreSQL: titles, aliases, order."""

from __future__ import annotations

import pytest

from pkm_core.application.use_cases import notes as use_cases
from pkm_core.bootstrap import DatabaseUrls
from pkm_core.domain.note import NoteDraft
from pkm_core.infrastructure.persistence.models import NoteAliasRow
from pkm_core.infrastructure.persistence.unit_of_work import SyncSQLAlchemyUnitOfWork
from tests.fakes import FakeEmbedder

pytestmark = pytest.mark.usefixtures("clean_database")


def test_titles_then_aliases_match_any_case_best_first_and_trash_is_left_out(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder
) -> None:
    def uow() -> SyncSQLAlchemyUnitOfWork:
        return SyncSQLAlchemyUnitOfWork(clean_database.sync_url)

    def make(title: str) -> int:
        return use_cases.create_note(uow(), fake_embedder, NoteDraft(title=title)).id

    long_one = make("Notes on espresso extraction")
    exact = make("Espresso")
    prefix = make("Espresso shots")
    gone = make("Espresso in the trash")
    use_cases.delete_note(uow(), gone)
    pulled = make("Pulling a shot")
    with uow() as work:
        work.session.add(
            NoteAliasRow(note_id=pulled, alias_key="espresso pull", alias="Espresso pull")
        )
        work.session.add(
            NoteAliasRow(note_id=exact, alias_key="espresso bar", alias="Espresso bar")
        )
    make("Sourdough")

    found = use_cases.suggest_link_targets(uow(), "ESPRESSO")
    assert [(m.note_id, m.alias) for m in found] == [
        (exact, None),
        (prefix, None),
        (pulled, "Espresso pull"),
        (long_one, None),
    ]
    assert [m.note_id for m in use_cases.suggest_link_targets(uow(), "esp", prefix)] == [
        exact,
        pulled,
        long_one,
    ]


def test_a_bare_bracket_offers_the_newest_notes_and_like_wildcards_are_plain_text(
    clean_database: DatabaseUrls, fake_embedder: FakeEmbedder
) -> None:
    def uow() -> SyncSQLAlchemyUnitOfWork:
        return SyncSQLAlchemyUnitOfWork(clean_database.sync_url)

    ids = [
        use_cases.create_note(uow(), fake_embedder, NoteDraft(title=t)).id
        for t in ("100% rye", "snake_case names", "Plain")
    ]
    assert [m.note_id for m in use_cases.suggest_link_targets(uow(), "")] == ids[::-1]
    assert [m.title for m in use_cases.suggest_link_targets(uow(), "%")] == ["100% rye"]
    assert [m.title for m in use_cases.suggest_link_targets(uow(), "e_c")] == ["snake_case names"]
    assert use_cases.suggest_link_targets(uow(), "nothing like it") == []
