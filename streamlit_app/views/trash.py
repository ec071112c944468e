"""Trash: deleted notes wait here for 30 days; restore them or delete them for good."""

from __future__ import annotations

import streamlit as st

from pkm_core.application.use_cases.history import (
    delete_for_good,
    empty_old_trash,
    list_trash,
    restore_from_trash,
)
from pkm_core.domain.history import TRASH_KEEP_DAYS
from streamlit_app.components import nav
from streamlit_app.components.context import flash, open_kairos, require_kairos, show_flash
from streamlit_app.components.errors import friendly, show_error, shown_errors
from streamlit_app.components.note_card import when
from streamlit_app.components.text import md_escape, one_line, plain_text, shorten

CONFIRM = "trash_confirm"
state = st.session_state


def _restore(note_id: int, title: str) -> None:
    try:
        kairos = require_kairos()
        restore_from_trash(kairos.uow(), kairos.embedder, note_id)
    except Exception as error:
        state["trash_error"] = friendly(error)
        return
    flash(f"Restored “{title}” with its links and keywords.")


def _purge(note_ids: list[int]) -> None:
    state.pop(CONFIRM, None)
    try:
        gone = delete_for_good(require_kairos().uow(), note_ids)
    except Exception as error:
        state["trash_error"] = friendly(error)
        return
    flash(f"Deleted {gone} {'note' if gone == 1 else 'notes'} for good.")


st.title("Trash")
show_flash()
kairos = open_kairos()
if kairos is None:
    st.stop()
if state.get("trash_error"):
    show_error(state.pop("trash_error"))

with shown_errors():
    empty_old_trash(kairos.uow())
    trashed = list_trash(kairos.uow())
    st.caption(
        f"Deleted notes stay here for {TRASH_KEEP_DAYS} days, then go for good. "
        "Restoring brings back a note's text, keywords and links; search finds it again."
    )
    if not trashed:
        st.info("The trash is empty.", icon=":material/delete:")
        st.page_link(nav.NOTES, label="All notes", icon=":material/library_books:")
        st.stop()
    for item in trashed:
        with st.container(border=True, key=f"trashed_{item.id}"):
            with st.container(horizontal=True, vertical_alignment="center"):
                st.markdown(f"**{md_escape(item.title)}**")
                st.caption(f"Deleted {when(item.deleted_at)}", width="content")
            excerpt = shorten(one_line(plain_text(item.excerpt)), 200)
            if excerpt:
                st.caption(md_escape(excerpt))
            with st.container(horizontal=True):
                st.button(
                    "Restore",
                    key=f"restore_{item.id}",
                    icon=":material/restore_from_trash:",
                    on_click=_restore,
                    args=(item.id, item.title),
                )
                st.button(
                    "Delete for good",
                    key=f"danger_purge_{item.id}",
                    icon=":material/delete_forever:",
                    on_click=lambda i=item.id: state.update({CONFIRM: [i]}),
                )
    st.button(
        f"Empty the trash ({len(trashed)})",
        key="danger_empty_trash",
        icon=":material/delete_forever:",
        on_click=lambda: state.update({CONFIRM: [t.id for t in trashed]}),
    )
    if state.get(CONFIRM):
        count = len(state[CONFIRM])
        with st.container(border=True):
            noun, their = ("note", "its") if count == 1 else ("notes", "their")
            st.warning(
                f"Delete {count} {noun} for good, with {their} history? This cannot be undone.",
                icon=":material/delete_forever:",
            )
            with st.container(horizontal=True):
                st.button("Keep", key="keep_trashed", on_click=lambda: state.pop(CONFIRM, None))
                st.button(
                    "Yes, delete for good",
                    key="danger_confirm_purge",
                    icon=":material/delete_forever:",
                    on_click=_purge,
                    args=(list(state[CONFIRM]),),
                )
