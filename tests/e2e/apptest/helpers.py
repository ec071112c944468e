"""Helpers shared by the AppTest tests: arranging notes, reading what a page shows."""

from __future__ import annotations

import re
from typing import Any

from streamlit.testing.v1 import AppTest

from pkm_core.application.use_cases.notes import create_note
from pkm_core.bootstrap import Kairos
from pkm_core.domain.note import NoteDraft

WRITE = "views/write.py"
_BACKSLASHED = re.compile(r"\\(.)")


def make_note(kairos: Kairos, title: str, body: str = "", **fields: Any) -> int:
    """Store a note through the use case (as the app would) and return its id."""
    note = create_note(kairos.uow(), kairos.embedder, NoteDraft(title=title, body=body, **fields))
    return note.id


def texts(elements: Any) -> list[str]:
    """The text of each element in an AppTest element list (errors, warnings, …), as a
    person reads it: without the backslashes that keep markdown from interpreting it."""
    return [_BACKSLASHED.sub(r"\1", element.value) for element in elements]


def link_labels(at: AppTest) -> list[str]:
    """Labels of the page links (note titles), without the bold markers of list cards."""
    return [link.value.removeprefix("**").removesuffix("**") for link in at.get("page_link")]


def fill(at: AppTest, title: str, body: str = "") -> AppTest:
    """Type a title and a body into the Write page's form."""
    at.text_input(key="draft_title").input(title)
    at.text_area(key="draft_body").input(body)
    return at


def save(at: AppTest) -> AppTest:
    return at.button(key="save").click().run()
