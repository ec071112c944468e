"""Pages and how to reach them. A note has a URL: `/note?id=12`, `/write?note=12`."""

from __future__ import annotations

from typing import NoReturn

import streamlit as st

from streamlit_app.components.text import md_escape

# Paths relative to app.py, as st.navigation registers them.
NOTES = "views/notes.py"
WRITE = "views/write.py"
SEARCH = "views/search.py"
NOTE = "views/note.py"
STATUS = "views/status.py"
IMPORT = "views/import_.py"


def query_int(name: str) -> int | None:
    """An integer query parameter, or None when absent or not a positive number."""
    raw = st.query_params.get(name)
    if raw is None or not raw.strip().isdigit():
        return None
    value = int(raw.strip())
    return value if value > 0 else None


def note_link(
    note_id: int, title: str, *, icon: str = ":material/description:", bold: bool = False
) -> None:
    """A link that opens the note in the note view (a real link: it can open in a new tab)."""
    label = f"**{md_escape(title)}**" if bold else md_escape(title)
    st.page_link(NOTE, label=label, icon=icon, query_params={"id": str(note_id)})


def open_note(note_id: int) -> NoReturn:
    st.switch_page(NOTE, query_params={"id": str(note_id)})


def edit_note(note_id: int) -> NoReturn:
    st.switch_page(WRITE, query_params={"note": str(note_id)})
