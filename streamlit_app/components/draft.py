"""The note being written, kept in `st.session_state` as plain values.

The form's widgets are bound to these keys, so whatever happens (a failed save, a conflict,
a database that is down, a visit to another page) the text stays where the person left it.
Only strings, ids and a version number are kept: never an entity or a session.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

from pkm_core.domain.note import Note, NoteDraft

if TYPE_CHECKING:
    from streamlit.runtime.state import SessionStateProxy

TITLE = "draft_title"
BODY = "draft_body"
KEYWORDS = "draft_keywords"
PROJECT = "draft_project"
SOURCE = "draft_source"
NOTE_ID = "draft_note_id"
VERSION = "draft_version"
ORIGINAL = "draft_original"  # the fields as last loaded or saved: tells unsaved changes

FIELDS = (TITLE, BODY, KEYWORDS, PROJECT, SOURCE)
EMPTY: dict[str, Any] = {TITLE: "", BODY: "", KEYWORDS: [], PROJECT: None, SOURCE: None}

# st.session_state (a SessionStateProxy, MutableMapping-like) or a plain dict in tests.
State: TypeAlias = "MutableMapping[str, Any] | SessionStateProxy"


@dataclass(frozen=True)
class DraftView:
    """A read-only snapshot of the draft for the page to render."""

    note_id: int | None
    version: int | None
    title: str
    body: str
    keywords: tuple[str, ...]
    project_id: int | None
    source_id: int | None

    @property
    def is_new(self) -> bool:
        return self.note_id is None


def fields_of(state: State) -> tuple[Any, ...]:
    return tuple(
        tuple(state.get(k) or ()) if k == KEYWORDS else state.get(k, EMPTY[k]) for k in FIELDS
    )


def ensure(state: State) -> None:
    for key, value in EMPTY.items():
        state.setdefault(key, list(value) if isinstance(value, list) else value)
    state.setdefault(NOTE_ID, None)
    state.setdefault(VERSION, None)
    state.setdefault(ORIGINAL, fields_of(state))


def load(state: State, note: Note) -> None:
    """Put a stored note into the form (before its widgets render, or in a callback)."""
    state[TITLE] = note.title
    state[BODY] = note.body
    state[KEYWORDS] = list(note.keywords)
    state[PROJECT] = note.project_id
    state[SOURCE] = note.source_id
    state[NOTE_ID] = note.id
    state[VERSION] = note.version
    state[ORIGINAL] = fields_of(state)


def clear(state: State) -> None:
    """Start a new, empty note."""
    for key, value in EMPTY.items():
        state[key] = list(value) if isinstance(value, list) else value
    state[NOTE_ID] = None
    state[VERSION] = None
    state[ORIGINAL] = fields_of(state)


def is_dirty(state: State) -> bool:
    return fields_of(state) != state.get(ORIGINAL)


def view(state: State) -> DraftView:
    return DraftView(
        note_id=state.get(NOTE_ID),
        version=state.get(VERSION),
        title=state.get(TITLE) or "",
        body=state.get(BODY) or "",
        keywords=tuple(state.get(KEYWORDS) or ()),
        project_id=state.get(PROJECT),
        source_id=state.get(SOURCE),
    )


def to_note_draft(state: State) -> NoteDraft:
    """The domain draft; raises InvalidNote with a sentence to show when a field is wrong."""
    current = view(state)
    return NoteDraft(
        title=current.title,
        body=current.body,
        keywords=current.keywords,
        project_id=current.project_id,
        source_id=current.source_id,
    )
