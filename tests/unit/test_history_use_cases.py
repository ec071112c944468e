"""Renames, revisions, trash, drafts and repeated creates, against the fakes."""

from __future__ import annotations

import pytest

from pkm_core.application.use_cases import drafts, history
from pkm_core.application.use_cases import notes as use_cases
from pkm_core.domain.errors import DuplicateTitle, NoteNotFound
from pkm_core.domain.history import Draft, new_draft_key, note_draft_key
from pkm_core.domain.note import NoteDraft
from tests.fakes import FakeEmbedder, FakeUnitOfWork


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


def test_a_rename_rewrites_the_links_of_every_linking_note_and_counts_them(
    uow: FakeUnitOfWork, fake_embedder: FakeEmbedder
) -> None:
    target = use_cases.create_note(uow, fake_embedder, NoteDraft(title="Espresso extraction"))
    a = use_cases.create_note(
        uow, fake_embedder, NoteDraft(title="A", body="[[Espresso extraction|shot]] rules")
    )
    b = use_cases.create_note(
        uow, fake_embedder, NoteDraft(title="B", body="see [[espresso extraction#Grind]]")
    )
    use_cases.create_note(uow, fake_embedder, NoteDraft(title="C", body="no link"))
    saved = use_cases.save_note(
        uow, fake_embedder, target.id, NoteDraft(title="Espresso shots"), target.version
    )
    assert sorted(linked.title for linked in saved.relinked) == ["A", "B"]
    assert uow.notes.notes[a.id].body == "[[Espresso shots|shot]] rules"
    assert uow.notes.notes[b.id].body == "see [[Espresso shots#Grind]]"
    assert uow.notes.notes[a.id].version == 2
    assert sorted(title for _, title in uow.notes.backlinks(target.id)) == ["A", "B"]


def test_an_edit_keeps_the_version_it_replaced_and_restoring_it_is_a_new_version(
    uow: FakeUnitOfWork, fake_embedder: FakeEmbedder
) -> None:
    note = use_cases.create_note(
        uow, fake_embedder, NoteDraft(title="Doc", body="first", keywords=("a",))
    )
    edited = use_cases.update_note(uow, fake_embedder, note.id, NoteDraft(title="Doc 2"), 1)
    versions = history.list_revisions(uow, note.id)
    assert [(r.version, r.title, r.current) for r in versions] == [
        (2, "Doc 2", True),
        (1, "Doc", False),
    ]
    old = history.get_revision(uow, note.id, 1)
    assert (old.body, old.keywords) == ("first", ("a",))
    restored = history.restore_revision(uow, fake_embedder, note.id, 1, edited.version)
    assert (restored.note.version, restored.note.title, restored.note.body) == (3, "Doc", "first")


def test_a_deleted_note_waits_in_the_trash_unseen_and_comes_back_searchable(
    uow: FakeUnitOfWork, fake_embedder: FakeEmbedder
) -> None:
    note = use_cases.create_note(
        uow, fake_embedder, NoteDraft(title="Crema", body="tiger stripes", keywords=("coffee",))
    )
    use_cases.delete_note(uow, note.id, note.version)
    assert use_cases.count_notes(uow) == 0
    assert [t.title for t in history.list_trash(uow)] == ["Crema"]
    with pytest.raises(NoteNotFound):
        use_cases.get_note(uow, note.id)
    restored = history.restore_from_trash(uow, fake_embedder, note.id)
    assert restored.keywords == ("coffee",)
    assert [c.text for c in uow.notes.chunks(note.id)] == ["tiger stripes"]
    assert history.list_trash(uow) == []


def test_a_trashed_title_can_be_reused_and_then_blocks_its_restore(
    uow: FakeUnitOfWork, fake_embedder: FakeEmbedder
) -> None:
    note = use_cases.create_note(uow, fake_embedder, NoteDraft(title="Crema"))
    use_cases.delete_note(uow, note.id)
    use_cases.create_note(uow, fake_embedder, NoteDraft(title="crema"))
    with pytest.raises(DuplicateTitle):
        history.restore_from_trash(uow, fake_embedder, note.id)


def test_delete_for_good_and_the_thirty_day_emptying(
    uow: FakeUnitOfWork, fake_embedder: FakeEmbedder
) -> None:
    old = use_cases.create_note(uow, fake_embedder, NoteDraft(title="Old"))
    recent = use_cases.create_note(uow, fake_embedder, NoteDraft(title="Recent"))
    gone = use_cases.create_note(uow, fake_embedder, NoteDraft(title="Gone"))
    for note in (old, recent, gone):
        use_cases.delete_note(uow, note.id)
    assert history.delete_for_good(uow, [gone.id]) == 1
    stored, at = uow.notes.trash_bin[old.id]
    uow.notes.trash_bin[old.id] = (stored, at.replace(year=at.year - 1))
    assert history.empty_old_trash(uow) == 1
    assert [t.title for t in history.list_trash(uow)] == ["Recent"]


def test_a_repeated_create_with_the_same_token_returns_the_first_note(
    uow: FakeUnitOfWork, fake_embedder: FakeEmbedder
) -> None:
    draft = NoteDraft(title="Once", body="only once")
    first = use_cases.create_note(uow, fake_embedder, draft, create_token="t1")
    again = use_cases.create_note(uow, fake_embedder, draft, create_token="t1")
    assert again.id == first.id
    assert use_cases.count_notes(uow) == 1
    with pytest.raises(DuplicateTitle):
        use_cases.create_note(uow, fake_embedder, draft, create_token="t2")


def test_a_draft_is_kept_until_its_note_is_saved(
    uow: FakeUnitOfWork, fake_embedder: FakeEmbedder
) -> None:
    key = new_draft_key("tok")
    drafts.save_draft(uow, Draft(key=key, title="Half", body="written"))
    assert [d.title for d in drafts.recent_new_drafts(uow)] == ["Half"]
    use_cases.create_note(
        uow, fake_embedder, NoteDraft(title="Half"), create_token="tok", draft_key=key
    )
    assert drafts.get_draft(uow, key) is None

    note = use_cases.create_note(uow, fake_embedder, NoteDraft(title="Edited"))
    edit_key = note_draft_key(note.id)
    drafts.save_draft(uow, Draft(key=edit_key, note_id=note.id, base_version=1, body="more"))
    assert drafts.get_draft(uow, edit_key) is not None
    use_cases.update_note(uow, fake_embedder, note.id, NoteDraft(title="Edited", body="more"), 1)
    assert drafts.get_draft(uow, edit_key) is None


def test_an_emptied_form_drops_its_draft(uow: FakeUnitOfWork) -> None:
    drafts.save_draft(uow, Draft(key="new:x", title="t"))
    assert drafts.save_draft(uow, Draft(key="new:x", title="  ")) is None
    assert drafts.get_draft(uow, "new:x") is None
