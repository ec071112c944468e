"""How a note appears in a list: title (a link to it), a line of its text, its labels."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import streamlit as st

from pkm_core.application.dto import NoteSummary
from streamlit_app.components.catalog import Catalog
from streamlit_app.components.nav import note_link
from streamlit_app.components.text import md_escape, one_line, plain_text, shorten

EXCERPT_CHARS = 220


def when(moment: datetime) -> str:
    """A timestamp in the viewer's time zone, to the minute."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def keyword_badges(keywords: Sequence[str]) -> None:
    if not keywords:
        return
    with st.container(horizontal=True, gap="small"):
        for keyword in keywords:
            st.badge(md_escape(keyword), icon=":material/sell:", color="blue")


def note_card(note: NoteSummary, catalog: Catalog) -> None:
    with st.container(border=True, key=f"note_card_{note.id}"):
        note_link(note.id, note.title, bold=True)
        excerpt = shorten(one_line(plain_text(note.excerpt)), EXCERPT_CHARS)
        if excerpt:
            st.markdown(md_escape(excerpt))
        details = [f"Updated {when(note.updated_at)}"]
        project = catalog.project_name(note.project_id)
        if project:
            details.append(f"Project: {md_escape(project)}")
        st.caption(" · ".join(details))
        keyword_badges(note.keywords)


def note_row(note: NoteSummary, catalog: Catalog) -> None:
    """The list view's one line: the title, then when it changed, its project, keywords."""
    with st.container(key=f"note_row_{note.id}", horizontal=True, vertical_alignment="center"):
        note_link(note.id, note.title)
        details = [when(note.updated_at)]
        project = catalog.project_name(note.project_id)
        if project:
            details.append(md_escape(project))
        if note.keywords:
            details.append(", ".join(md_escape(k) for k in note.keywords))
        st.caption(" · ".join(details), width="content")
