"""Lists of notes next to a note: related by meaning, linked to, linking here."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from pkm_core.application.dto import LinkedNote, RelatedNote
from pkm_core.application.use_cases.search import related_to_text
from pkm_core.bootstrap import Kairos
from streamlit_app.components.draft import DraftView
from streamlit_app.components.errors import friendly
from streamlit_app.components.nav import WRITE, note_link
from streamlit_app.components.text import md_escape, md_text
from streamlit_app.runtime import ModelState, get_model_loader

RELATED = "write_related"  # (draft key, [(id, title, similarity)])
RELATED_CHARS = 8_000  # the start of a note says what it is about; embedding more is slow
RELATED_LIMIT = 6


def related_list(items: Sequence[RelatedNote]) -> None:
    """Each related note as a link, with how close it is in meaning."""
    for item in items:
        with st.container(
            horizontal=True, horizontal_alignment="distribute", vertical_alignment="center"
        ):
            note_link(item.note_id, item.title, icon=":material/hub:")
            st.caption(f"{max(item.similarity, 0):.0%}", width="content")


def linked_list(items: Sequence[LinkedNote]) -> None:
    """Wikilink targets/sources; a link to a note that does not exist yet leads to a new
    note with that title."""
    for item in items:
        if item.note_id is None:
            st.page_link(
                WRITE,
                label=f"{md_escape(item.title)} (new)",
                help="No such note yet: write it",
                icon=":material/add_notes:",
                query_params={"title": item.title},
            )
        else:
            note_link(item.note_id, item.title, icon=":material/link:")


def draft_related_panel(kairos: Kairos | None, current: DraftView, saves: int) -> None:
    """Notes close in meaning to the draft being written (`related_to_text`).

    The draft is embedded once per change of its text (or per save, `saves`): the result is
    kept in the session as plain tuples, so reruns that change nothing cost nothing."""
    st.subheader("Related notes")
    if not (current.title.strip() or current.body.strip()):
        st.caption("Notes close in meaning to this one appear here as you write.")
        return
    loader = get_model_loader()
    if loader.state is ModelState.LOADING:
        st.caption(":material/hourglass_top: Waiting for the embedding model to load…")
        return
    if loader.state is ModelState.FAILED or kairos is None:
        st.caption("Related notes are unavailable right now.")
        return
    body = current.body[:RELATED_CHARS].replace("\x00", " ")
    key = (current.title, body, current.note_id, saves)
    cached = st.session_state.get(RELATED)
    if cached is None or cached[0] != key:
        try:
            found = related_to_text(
                kairos.uow(),
                kairos.embedder,
                current.title.replace("\x00", " "),
                body,
                limit=RELATED_LIMIT,
                exclude_note_id=current.note_id,
            )
        except Exception as error:
            st.caption(md_text(friendly(error)))
            return
        # Plain tuples in the session: (id, title, similarity).
        cached = (key, [(r.note_id, r.title, r.similarity) for r in found])
        st.session_state[RELATED] = cached
    if not cached[1]:
        st.caption("Nothing related yet: every note you add makes this list better.")
        return
    related_list([RelatedNote(*item) for item in cached[1]])
