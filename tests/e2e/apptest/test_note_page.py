"""The note view: rendered text, labels, dates, related notes, links both ways."""

from __future__ import annotations

import re
from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from pkm_core.application.use_cases.catalog import create_project, create_source
from pkm_core.application.use_cases.notes import count_notes
from pkm_core.bootstrap import Kairos
from tests.e2e.apptest.helpers import make_note, texts

NOTE = "views/note.py"
BADGE = re.compile(r":blue-badge\[:material/sell: (.*)\]")


def badges(at: AppTest) -> list[str]:
    """Keyword badges (st.badge renders as a `:blue-badge[…]` markdown directive)."""
    return [m.group(1) for m in map(BADGE.fullmatch, texts(at.markdown)) if m is not None]


def links(at: AppTest) -> list[str]:
    return [link.value for link in at.get("page_link")]


def test_a_note_shows_its_rendered_text_keywords_project_source_and_dates(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    project = create_project(kairos.uow(), "Kitchen")
    source = create_source(
        kairos.uow(), "Flour Water Salt Yeast", "https://example.org/fwsy", "Ken"
    )
    note_id = make_note(
        kairos,
        "Poolish",
        "## Method\n\nMix **equal** weights of flour and water.",
        keywords=("bread", "preferment"),
        project_id=project.id,
        source_id=source.id,
    )
    at = open_page(NOTE, id=note_id)

    assert at.title[0].value == "Poolish"
    body = next(m for m in at.markdown if "Method" in m.value)
    assert body.value == "## Method\n\nMix **equal** weights of flour and water."
    assert not body.proto.allow_html  # raw HTML in a note is never executed
    assert badges(at) == ["bread", "preferment"]
    details = " ".join(texts(at.caption))
    assert "Project: Kitchen" in details
    assert "[Flour Water Salt Yeast — Ken](https://example.org/fwsy)" in details
    assert "Created " in details and "version 1" in details


def test_html_in_a_note_is_shown_as_text_not_run(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    body = '<script>alert("x")</script><img src=x onerror="alert(1)"> and text'
    at = open_page(NOTE, id=make_note(kairos, "Markup", body))
    rendered = [m for m in at.markdown if "onerror" in m.value]
    assert rendered and not any(m.proto.allow_html for m in rendered)


def test_related_notes_and_links_in_and_out_are_listed(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    target = make_note(kairos, "Starter", "flour water yeast bubbles")
    source = make_note(kairos, "Bake day", "Use the [[Starter]] and the [[Oven notes]]; flour.")
    make_note(kairos, "Taxes", "deadline invoice")

    at = open_page(NOTE, id=source)
    assert [s.value for s in at.subheader] == ["Related notes", "Links to"]
    assert links(at)[0] == "Starter"  # the most related note comes first
    # A link to a missing note leads to a new note with that title.
    missing = [link for link in at.get("page_link") if "Oven notes" in link.value]
    assert [m.value for m in missing] == ["Oven notes (new)"]
    assert missing[0].proto.query_string == "title=Oven+notes"

    at = open_page(NOTE, id=target)
    assert "Linked from" in [s.value for s in at.subheader]
    assert "Bake day" in links(at)


def test_sections_with_nothing_in_them_are_hidden(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    at = open_page(NOTE, id=make_note(kairos, "Alone", "Nothing links here."))
    assert [s.value for s in at.subheader] == []
    assert badges(at) == []


def test_a_note_that_does_not_exist_says_so(open_page: Callable[..., AppTest]) -> None:
    at = open_page(NOTE, id=999)
    assert texts(at.error) == ["Note 999 does not exist (it may have been deleted)."]


def test_no_note_chosen_points_to_the_list(open_page: Callable[..., AppTest]) -> None:
    at = open_page(NOTE, id="not-a-number")
    assert texts(at.info) == ["No note was chosen. Pick one from your notes."]


def test_edit_opens_the_note_in_the_editor(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    at = open_page(NOTE, id=make_note(kairos, "Crumb", "Open and glossy."))
    at.button(key="edit").click().run()
    assert at.title[0].value == "Edit note"
    assert at.text_input(key="draft_title").value == "Crumb"


def test_deleting_from_the_note_view_asks_first(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    at = open_page(NOTE, id=make_note(kairos, "Crust", "Dark."))
    at.button(key="delete").click().run()
    assert count_notes(kairos.uow()) == 1
    at.button(key="confirm_delete").click().run()
    assert count_notes(kairos.uow()) == 0
    assert at.title[0].value == "Notes"
    assert texts(at.success) == ["Moved “Crust” to the trash; restore it from the Trash page."]
