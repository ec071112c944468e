"""Related notes: nearest note vectors, the note itself left out."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pkm_core.application.use_cases.notes import delete_note
from pkm_core.application.use_cases.search import related_notes, related_to_text
from pkm_core.domain.errors import NoteNotFound
from pkm_core.domain.note import Note, NoteDraft
from tests.fakes import FakeEmbedder
from tests.integration.search.conftest import UowFactory

AddNote = Callable[..., Note]


def test_related_notes_are_the_nearest_others_with_their_similarity(
    uow: UowFactory, add: AddNote
) -> None:
    bees = add("Bees", "honey bees pollinate clover")
    add("Clover", "clover feeds honey bees")
    add("Granite", "granite is an igneous rock")
    related = related_notes(uow(), bees.id)
    assert [r.title for r in related] == ["Clover", "Granite"]
    assert bees.id not in [r.note_id for r in related]
    assert 0 <= related[1].similarity < related[0].similarity <= 1


def test_related_notes_of_a_missing_note_say_so(uow: UowFactory) -> None:
    with pytest.raises(NoteNotFound):
        related_notes(uow(), 12345)


def test_a_note_without_vectors_has_no_related_notes_yet(uow: UowFactory) -> None:
    with uow() as u:
        note = u.notes.add(NoteDraft(title="Unindexed"))
    assert related_notes(uow(), note.id) == []


def test_a_draft_finds_its_neighbours_and_can_leave_out_the_note_being_edited(
    uow: UowFactory, add: AddNote, fake_embedder: FakeEmbedder
) -> None:
    bees = add("Bees", "honey bees pollinate clover")
    add("Granite", "granite is an igneous rock")
    found = related_to_text(uow(), fake_embedder, "Bees", "honey bees pollinate clover")
    assert found[0].note_id == bees.id
    assert found[0].similarity == pytest.approx(1.0, abs=1e-5)  # same text, same vector
    edited = related_to_text(uow(), fake_embedder, "Bees", "honey", exclude_note_id=bees.id)
    assert [r.title for r in edited] == ["Granite"]


def test_links_one_and_two_steps_away_count_between_live_notes_only(
    uow: UowFactory, add: AddNote, fake_embedder: FakeEmbedder
) -> None:
    hub = add("Hub", "granite basalt [[Middle]]")
    middle = add("Middle", "clover honey [[Far]]")
    add("Far", "espresso crema")
    add("Fan", "tides and moons [[Hub]]")
    links = {r.title: (r.why.link, r.why.via) for r in related_notes(uow(), hub.id) if r.why}
    assert links["Middle"] == ("direct", "") and links["Fan"] == ("direct", "")
    assert links["Far"] == ("two-step", "Middle")
    drafted = related_to_text(uow(), fake_embedder, "Hub", "a draft naming [[Middle]]")
    draft_links = {r.title: (r.why.link, r.why.via) for r in drafted if r.why}
    assert draft_links["Fan"] == ("direct", "") and draft_links["Far"] == ("two-step", "Middle")
    delete_note(uow(), middle.id, middle.version)
    links = {r.title: r.why.link for r in related_notes(uow(), hub.id) if r.why}
    assert "Middle" not in links and links.get("Far", "") == ""
