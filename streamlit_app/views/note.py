"""A note (`/note?id=12`): its text rendered, its labels, related notes and links."""

from __future__ import annotations

from urllib.parse import quote

import streamlit as st

from pkm_core.application.use_cases.attachments import note_attachments
from pkm_core.application.use_cases.notes import NoteView, delete_note, view_note
from pkm_core.application.use_cases.related import (
    hide_related,
    pin_related,
    related_notes,
    unhide_related,
)
from pkm_core.application.vault import Attachment
from pkm_core.bootstrap import Kairos
from pkm_core.domain.history import TRASH_KEEP_DAYS
from streamlit_app.components import draft, nav
from streamlit_app.components.attachments import show_attachments
from streamlit_app.components.context import flash, open_kairos, require_kairos, show_flash
from streamlit_app.components.errors import friendly, show_error, shown_errors
from streamlit_app.components.history_panel import history_panel
from streamlit_app.components.note_body import render_note_body
from streamlit_app.components.note_card import keyword_badges, when
from streamlit_app.components.related import linked_list, related_list
from streamlit_app.components.text import md_escape

CONFIRM = "note_confirm_delete"
RELATED_LIMIT = 8
state = st.session_state


def _details(shown: NoteView) -> None:
    note = shown.note
    parts = [f"Created {when(note.created_at)}", f"updated {when(note.updated_at)}"]
    parts.append(f"version {note.version}")
    st.caption(" · ".join(parts))
    if shown.project is not None:
        st.caption(f":material/folder: Project: {md_escape(shown.project.name)}")
    if shown.source is not None:
        source = shown.source
        label = md_escape(source.title + (f" — {source.author}" if source.author else ""))
        if source.url:
            # The domain only admits http(s) URLs; quoting keeps the markdown link intact.
            url = quote(source.url, safe=":/?#[]@!$&'*+,;=%~")
            st.caption(f":material/menu_book: Source: [{label}]({url})")
        else:
            st.caption(f":material/menu_book: Source: {label}")
    keyword_badges(note.keywords)


def _delete(note_id: int, version: int, title: str) -> None:
    try:
        delete_note(require_kairos().uow(), note_id, version)
    except Exception as error:
        state["note_error"] = friendly(error)
        return
    state.pop(CONFIRM, None)
    if state.get(draft.NOTE_ID) == note_id:
        draft.clear(state)  # the draft of a deleted note would save into nothing
    flash(f"Moved “{title}” to the trash; restore it from the Trash page.")
    state["note_goto"] = nav.NOTES


def _actions(shown: NoteView) -> None:
    with st.container(horizontal=True):
        if st.button("Edit", key="edit", type="primary", icon=":material/edit:"):
            nav.edit_note(shown.note.id)
        st.button(
            "Move to trash",
            key="delete",
            icon=":material/delete:",
            on_click=lambda: state.update({CONFIRM: True}),
        )
    if state.get(CONFIRM):
        with st.container(border=True):
            st.warning(
                f"Move “{md_escape(shown.note.title)}” to the trash? It can be restored "
                f"there for {TRASH_KEEP_DAYS} days.",
                icon=":material/delete:",
            )
            with st.container(horizontal=True):
                # The safe choice is the prominent one; the destructive one is red (CSS).
                st.button("Keep it", key="keep_note", on_click=lambda: state.pop(CONFIRM, None))
                st.button(
                    "Yes, move it to the trash",
                    key="confirm_delete",
                    icon=":material/delete:",
                    on_click=_delete,
                    args=(shown.note.id, shown.note.version, shown.note.title),
                )
    if state.get("note_error"):
        show_error(state.pop("note_error"))


def _side(kairos: Kairos, shown: NoteView) -> None:
    related = related_notes(kairos.uow(), shown.note.id, limit=RELATED_LIMIT)
    note_id = shown.note.id

    def choose(action: str, other_id: int) -> None:
        act = {"pin": pin_related, "unpin": unhide_related, "hide": hide_related}[action]
        try:
            act(kairos.uow(), note_id, other_id)
        except Exception as error:
            state["note_error"] = friendly(error)

    if related:
        with st.container(key="related_panel"):
            st.subheader("Related notes")
            related_list(related, choose)
    if shown.links_out:
        st.subheader("Links to")
        linked_list(shown.links_out)
    if shown.backlinks:
        st.subheader("Linked from")
        linked_list(shown.backlinks)


if "note_goto" in state:
    st.switch_page(state.pop("note_goto"))

note_id = nav.query_int("id")
kairos = open_kairos()
if kairos is None:
    st.stop()
if note_id is None:
    st.title("Note")
    st.info("No note was chosen. Pick one from your notes.", icon=":material/info:")
    st.page_link(nav.NOTES, label="All notes", icon=":material/library_books:")
    st.stop()

try:
    shown = view_note(kairos.uow(), note_id)
except Exception as error:
    st.title("Note")
    show_error(friendly(error))
    st.page_link(nav.NOTES, label="All notes", icon=":material/library_books:")
    st.stop()

if state.pop("note_shown", None) != note_id:
    state.pop(CONFIRM, None)  # a confirmation belongs to the note it was asked on
state["note_shown"] = note_id

main, side = st.columns([7, 3], gap="large")
with main:
    show_flash()
    st.title(md_escape(shown.note.title))
    _details(shown)
    _actions(shown)
    st.divider()
    files: list[Attachment] = []
    with shown_errors():
        files = note_attachments(kairos.uow(), shown.note.body)
    drawn: set[str] = set()
    if shown.note.body.strip():
        # Wikilinks live, web images held back; raw HTML is shown as text, never executed.
        drawn = render_note_body(
            kairos, shown.note.body, scope=f"note_{note_id}", attachments=files
        )
    else:
        st.caption("This note has no text yet.")
    show_attachments(files, drawn)
    st.divider()
    with shown_errors():
        history_panel(kairos, shown.note)
with side, shown_errors():
    _side(kairos, shown)
