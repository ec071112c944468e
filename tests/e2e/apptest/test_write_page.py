"""The Write page: writing, editing, conflicts, deleting, related notes."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from pkm_core.application.use_cases.notes import get_note, list_notes, update_note
from pkm_core.bootstrap import Kairos
from tests.e2e.apptest.helpers import WRITE, fill, make_note, save, texts


def titles(kairos: Kairos) -> list[str]:
    return [n.title for n in list_notes(kairos.uow()).items]


def test_writing_a_note_stores_it_and_keeps_it_open_for_editing(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    at = open_page(WRITE)
    fill(at, "Sourdough starter", "Feed it *flour* and water daily.")
    at.multiselect(key="draft_keywords").select("Baking")
    save(at)

    assert not at.exception
    assert texts(at.toast) == ["Saved “Sourdough starter” (version 1)."]
    note_id = int(at.query_params["note"][0])
    stored = get_note(kairos.uow(), note_id)
    assert (stored.title, stored.body) == ("Sourdough starter", "Feed it *flour* and water daily.")
    assert stored.keywords == ("baking",)
    assert at.title[0].value == "Edit note"
    assert at.multiselect(key="draft_keywords").value == ["baking"]  # as stored


def test_the_preview_renders_the_body_as_markdown(open_page: Callable[..., AppTest]) -> None:
    at = open_page(WRITE)
    fill(at, "Preview", "# Heading\n\nSome **bold** words").run()
    assert "# Heading\n\nSome **bold** words" in [m.value for m in at.markdown]


def test_editing_a_note_saves_a_new_version(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    note_id = make_note(kairos, "Bread", "Flour, water, salt.")
    at = open_page(WRITE, note=note_id)
    assert at.text_input(key="draft_title").value == "Bread"
    assert at.text_area(key="draft_body").value == "Flour, water, salt."

    at.text_area(key="draft_body").input("Flour, water, salt and time.")
    save(at)

    assert texts(at.toast) == ["Saved “Bread” (version 2)."]
    assert get_note(kairos.uow(), note_id).body == "Flour, water, salt and time."


def test_a_project_and_a_source_can_be_created_and_chosen_from_the_form(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    at = open_page(WRITE)
    fill(at, "Levain", "A stiff starter.")
    at.text_input(key="new_project_name").input("Kitchen")
    at.button(key="create_project").click().run()
    at.text_input(key="new_source_title").input("Tartine Bread")
    at.text_input(key="new_source_url").input("https://example.org/tartine")
    at.button(key="create_source").click().run()
    save(at)

    assert not at.error
    stored = get_note(kairos.uow(), int(at.query_params["note"][0]))
    assert stored.project_id is not None and stored.source_id is not None
    assert at.selectbox(key="draft_project").value == stored.project_id


def test_a_source_url_that_is_not_a_web_link_is_refused(
    open_page: Callable[..., AppTest],
) -> None:
    at = open_page(WRITE)
    at.text_input(key="new_source_title").input("Trick")
    at.text_input(key="new_source_url").input("javascript:alert(1)")
    at.button(key="create_source").click().run()
    assert "A source URL must start with http:// or https://." in texts(at.error)


def test_saving_over_a_version_saved_elsewhere_shows_both_and_overwrites_nothing(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    note_id = make_note(kairos, "Rye", "Rye is sticky.")
    at = open_page(WRITE, note=note_id)
    # Another tab saves first.
    theirs = get_note(kairos.uow(), note_id).draft().model_copy(update={"body": "Theirs."})
    update_note(kairos.uow(), kairos.embedder, note_id, theirs, expected_version=1)

    at.text_area(key="draft_body").input("Mine.")
    save(at)

    assert any("was changed elsewhere" in e for e in texts(at.error))
    diffs = [m.value for m in at.markdown if "kairos-diff" in m.value]
    # Word level: each side marks only the word that differs.
    assert any('<del class="kairos-del">Theirs</del>' in d for d in diffs)
    assert any('<ins class="kairos-ins">Mine</ins>' in d for d in diffs)
    assert get_note(kairos.uow(), note_id).body == "Theirs."
    assert at.text_area(key="draft_body").value == "Mine."  # my text is still in the form


def test_keep_editing_after_a_conflict_leads_to_a_save_that_succeeds(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    note_id = make_note(kairos, "Emmer", "Emmer is old.")
    at = open_page(WRITE, note=note_id)
    theirs = get_note(kairos.uow(), note_id).draft().model_copy(update={"body": "Theirs."})
    update_note(kairos.uow(), kairos.embedder, note_id, theirs, expected_version=1)
    at.text_area(key="draft_body").input("Mine.")
    save(at)
    at.button(key="dismiss_conflict").click().run()
    assert not at.error and not [m for m in at.markdown if "kairos-diff" in m.value]
    at.text_area(key="draft_body").input("Theirs. Mine.")
    save(at)
    assert texts(at.toast) == ["Saved “Emmer” (version 3)."]
    assert get_note(kairos.uow(), note_id).body == "Theirs. Mine."


def test_cancel_without_changes_leaves_at_once(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    note_id = make_note(kairos, "Teff", "Tiny.")
    at = open_page(WRITE, note=note_id)
    at.button(key="cancel").click().run()
    assert at.title[0].value == "Teff"


def test_after_a_conflict_my_version_can_be_saved_over_theirs_on_purpose(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    note_id = make_note(kairos, "Spelt", "Spelt is old.")
    at = open_page(WRITE, note=note_id)
    theirs = get_note(kairos.uow(), note_id).draft().model_copy(update={"body": "Theirs."})
    update_note(kairos.uow(), kairos.embedder, note_id, theirs, expected_version=1)
    at.text_area(key="draft_body").input("Mine.")
    save(at)

    at.button(key="overwrite").click().run()

    assert get_note(kairos.uow(), note_id).body == "Mine."
    assert not [m for m in at.markdown if "kairos-diff" in m.value]  # the panel is gone


def test_after_a_conflict_the_saved_version_can_be_taken_instead(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    note_id = make_note(kairos, "Oats", "Oats soak.")
    at = open_page(WRITE, note=note_id)
    theirs = get_note(kairos.uow(), note_id).draft().model_copy(update={"body": "Theirs."})
    update_note(kairos.uow(), kairos.embedder, note_id, theirs, expected_version=1)
    at.text_area(key="draft_body").input("Mine.")
    save(at)

    at.button(key="take_theirs").click().run()

    assert at.text_area(key="draft_body").value == "Theirs."
    assert get_note(kairos.uow(), note_id).body == "Theirs."
    save(at)  # unchanged: no empty version is made
    assert texts(at.toast) == ["Nothing changed since version 2."]
    at.text_area(key="draft_body").input("Theirs, and more.")
    save(at)  # and the next save goes through on top of their version
    assert texts(at.toast) == ["Saved “Oats” (version 3)."]


def test_deleting_a_note_asks_first_and_then_removes_it(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    note_id = make_note(kairos, "Barley", "Malted.")
    at = open_page(WRITE, note=note_id)

    at.button(key="delete").click().run()
    assert titles(kairos) == ["Barley"]  # asking is not deleting
    assert any("to the trash" in w for w in texts(at.warning))
    at.button(key="confirm_delete").click().run()

    assert titles(kairos) == []
    assert at.title[0].value == "Notes"
    assert texts(at.success) == ["Moved “Barley” to the trash; restore it from the Trash page."]


def test_keeping_a_note_after_asking_to_delete_it_leaves_it_alone(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    note_id = make_note(kairos, "Millet", "Small.")
    at = open_page(WRITE, note=note_id)
    at.button(key="delete").click().run()
    at.button(key="keep_note").click().run()
    assert titles(kairos) == ["Millet"]
    assert not at.warning


def test_cancel_drops_the_changes_and_returns_to_the_note(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    note_id = make_note(kairos, "Corn", "Maize.")
    at = open_page(WRITE, note=note_id)
    at.text_area(key="draft_body").input("Something I regret.")
    at.button(key="cancel").click().run()
    assert at.title[0].value == "Edit note"  # unsaved changes: it asks first
    assert texts(at.warning) == ["Drop your unsaved changes? The draft is discarded too."]
    at.button(key="danger_discard").click().run()

    assert at.title[0].value == "Corn"  # the note view
    assert get_note(kairos.uow(), note_id).body == "Maize."


def test_related_notes_beside_the_editor_follow_the_draft_and_refresh_on_save(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    make_note(kairos, "Sourdough", "starter flour water yeast")
    make_note(kairos, "Taxes", "invoice deadline return")
    at = open_page(WRITE)
    fill(at, "Bread", "flour water yeast oven").run()

    related = [link.value for link in at.get("page_link")]
    assert related[0] == "Sourdough"

    save(at)  # the saved note itself is never its own related note
    related = [link.value for link in at.get("page_link")]
    assert "Bread" not in related and related[0] == "Sourdough"


def test_related_notes_beside_the_editor_say_why_as_beside_a_saved_note(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    make_note(kairos, "Sourdough", "starter flour water yeast")
    make_note(kairos, "Taxes", "invoice deadline return")
    at = open_page(WRITE)
    fill(at, "Bread", "flour water yeast oven, paid for by the [[Taxes]] refund").run()

    captions = texts(at.caption)
    assert any("linked" in c for c in captions)  # the link the draft contains
    assert "“starter flour water yeast”" in captions  # Sourdough's closest passage


def test_unsaved_changes_are_kept_when_another_note_is_asked_for(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    first = make_note(kairos, "First", "one")
    second = make_note(kairos, "Second", "two")
    at = open_page(WRITE, note=first)
    at.text_area(key="draft_body").input("one, changed")
    at.run()

    at.query_params["note"] = str(second)
    at.run()
    assert at.text_area(key="draft_body").value == "one, changed"
    assert any("unsaved changes" in w for w in texts(at.warning))

    at.button(key="discard_draft").click().run()
    assert at.text_input(key="draft_title").value == "Second"


def test_the_draft_survives_a_visit_to_another_page(open_page: Callable[..., AppTest]) -> None:
    at = open_page(WRITE)
    fill(at, "Half written", "I will finish this later").run()
    at.switch_page("views/search.py").run()
    at.switch_page(WRITE).run()
    assert at.text_input(key="draft_title").value == "Half written"
    assert at.text_area(key="draft_body").value == "I will finish this later"
