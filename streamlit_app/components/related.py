"""Lists of notes next to a note: related by meaning, linked to, linking here."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, astuple, replace

import streamlit as st

from pkm_core.application.dto import LinkedNote, RelatedNote, RelatedWhy
from pkm_core.application.use_cases.search import related_to_text
from pkm_core.bootstrap import Kairos
from streamlit_app.components.draft import DraftView
from streamlit_app.components.errors import friendly
from streamlit_app.components.nav import WRITE, note_link
from streamlit_app.components.text import md_escape, md_text
from streamlit_app.runtime import ModelState, get_model_loader

RELATED = "write_related"  # (draft key, [(RelatedNote fields, why as a dict)])
RELATED_CHARS = 8_000  # the start of a note says what it is about; embedding more is slow
RELATED_LIMIT = 6


def why_related(item: RelatedNote) -> str:
    """One line (markdown, escaped) of why a note is related."""
    why = item.why
    parts = [f"similarity {max(item.similarity, 0):.0%}"]
    if why is not None:
        if why.link == "direct":
            parts.append("linked")
        elif why.link == "two-step":
            parts.append(f"two links away, via {md_escape(why.via)}")
        if why.shared_keywords:
            parts.append("shared keywords: " + ", ".join(md_escape(k) for k in why.shared_keywords))
    if item.pinned:
        parts.insert(0, "pinned")
    return " · ".join(parts)


def _related_item(item: RelatedNote, choose: Callable[[str, int], None] | None) -> None:
    with st.container(
        horizontal=True, horizontal_alignment="distribute", vertical_alignment="center"
    ):
        note_link(item.note_id, item.title, icon=":material/hub:")
        if choose is not None:
            with st.container(horizontal=True, width="content", gap="small"):
                pin = "unpin" if item.pinned else "pin"
                st.button(
                    "",
                    key=f"related_{pin}_{item.note_id}",
                    icon=":material/keep_off:" if item.pinned else ":material/keep:",
                    help="Unpin" if item.pinned else "Pin to the top of this list",
                    on_click=choose,
                    args=(pin, item.note_id),
                    type="tertiary",
                )
                st.button(
                    "",
                    key=f"related_hide_{item.note_id}",
                    icon=":material/visibility_off:",
                    help="Never show it here",
                    on_click=choose,
                    args=("hide", item.note_id),
                    type="tertiary",
                )
    st.caption(why_related(item))
    if item.why is not None and item.why.passage:
        st.caption(f"“{md_escape(item.why.passage)}”")


def related_list(
    items: Sequence[RelatedNote],
    choose: Callable[[str, int], None] | None = None,
    key: str = "related",
) -> None:
    """Each related note as a link with why it is related; notes below the floor only
    after "Show weaker matches". `choose(action, other_id)` pins/unpins/hides."""
    strong = [i for i in items if not i.weak]
    weak = [i for i in items if i.weak]
    if not strong:
        st.caption("No note is close to this one yet.")
    for item in strong:
        _related_item(item, choose)
    if weak and st.toggle("Show weaker matches", key=f"{key}_show_weak"):
        for item in weak:
            _related_item(item, choose)


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
    """Notes related to the draft being written (`related_to_text`), each with why: the
    closest passages, shared keywords, the links it contains.

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
    key = (current.title, body, current.keywords, current.note_id, saves)
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
                keywords=current.keywords,
            )
        except Exception as error:
            st.caption(md_text(friendly(error)))
            return
        # Plain values in the session: RelatedNote's fields, its why as a dict.
        cached = (key, [_plain(r) for r in found])
        st.session_state[RELATED] = cached
    if not cached[1]:
        st.caption("Nothing related yet: every note you add makes this list better.")
        return
    related_list([_related_note(*item) for item in cached[1]], key="draft_related")


def _plain(item: RelatedNote) -> tuple[object, ...]:
    why = None if item.why is None else asdict(item.why)
    return (*astuple(replace(item, why=None)), why)


def _related_note(*fields: object) -> RelatedNote:
    *values, why = fields
    note = RelatedNote(*values)  # type: ignore[arg-type]
    return replace(note, why=None if why is None else RelatedWhy(**why))  # type: ignore[arg-type]
