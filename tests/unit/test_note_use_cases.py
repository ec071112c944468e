"""Note use cases against a fake Unit of Work: one transaction each, DTOs out."""

from __future__ import annotations

import pytest

from pkm_core.application.dto import NoteFilter, PageRequest, SortOrder
from pkm_core.application.use_cases import notes as use_cases
from pkm_core.domain.errors import NoteNotFound, VersionConflict
from pkm_core.domain.note import NoteDraft
from tests.fakes import FakeEmbedder, FakeUnitOfWork


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


def test_creating_a_note_commits_once_and_stores_its_vectors(
    uow: FakeUnitOfWork, fake_embedder: FakeEmbedder
) -> None:
    note = use_cases.create_note(uow, fake_embedder, NoteDraft(title="Idea", body="a thought"))
    assert uow.committed == 1
    assert [c.text for c in uow.notes.chunks(note.id)] == ["a thought"]
    assert uow.notes.note_vectors[note.id] is not None


def test_editing_re_embeds_only_the_chunks_that_changed(
    uow: FakeUnitOfWork, fake_embedder: FakeEmbedder
) -> None:
    body = "# One\nfirst part\n# Two\nsecond part"
    note = use_cases.create_note(uow, fake_embedder, NoteDraft(title="Doc", body=body))
    fake_embedder.calls.clear()
    edited = NoteDraft(title="Doc", body=body.replace("second part", "second part, revised"))
    use_cases.update_note(uow, fake_embedder, note.id, edited, note.version)
    assert fake_embedder.calls == ["Doc\nTwo\nsecond part, revised"]


def test_a_failed_save_rolls_back(uow: FakeUnitOfWork, fake_embedder: FakeEmbedder) -> None:
    note = use_cases.create_note(uow, fake_embedder, NoteDraft(title="Doc"))
    use_cases.update_note(uow, fake_embedder, note.id, NoteDraft(title="Doc", body="v2"), 1)
    with pytest.raises(VersionConflict):
        use_cases.update_note(uow, fake_embedder, note.id, NoteDraft(title="Doc", body="v3"), 1)
    assert uow.rolled_back == 1
    assert use_cases.get_note(uow, note.id).body == "v2"


def test_getting_a_missing_note_raises_not_found(uow: FakeUnitOfWork) -> None:
    with pytest.raises(NoteNotFound, match="does not exist"):
        use_cases.get_note(uow, 42)


def test_listing_and_deleting_go_through_the_unit_of_work(
    uow: FakeUnitOfWork, fake_embedder: FakeEmbedder
) -> None:
    for title in ("b", "a", "c"):
        use_cases.create_note(uow, fake_embedder, NoteDraft(title=title))
    page = use_cases.list_notes(uow, NoteFilter(), PageRequest(1, 2), SortOrder.TITLE)
    assert ([n.title for n in page.items], page.total, page.pages) == (["a", "b"], 3, 2)
    use_cases.delete_note(uow, page.items[0].id)
    assert use_cases.count_notes(uow) == 2
