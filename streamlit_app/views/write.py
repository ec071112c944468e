"""Write: a new note or an edit (`/write?note=12`), with a live preview and related notes.

The form's fields live in `st.session_state` (components/draft.py): a failed save, a
conflict or a database outage never takes the text away. What the buttons do is in
components/draft_actions.py; this page lays the form out.
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from streamlit_app.components import draft, draft_store, nav
from streamlit_app.components import draft_actions as actions
from streamlit_app.components.catalog import Catalog, load_catalog
from streamlit_app.components.conflict import conflict_panel
from streamlit_app.components.context import open_kairos
from streamlit_app.components.errors import friendly, show_error
from streamlit_app.components.link_suggest import link_suggestions
from streamlit_app.components.note_body import render_note_body
from streamlit_app.components.pickers import project_picker, source_picker
from streamlit_app.components.related import draft_related_panel
from streamlit_app.components.save_shortcut import mount_save_shortcut
from streamlit_app.components.text import md_escape, md_text

PREVIEW_CHARS = 50_000  # previewing more would slow every keystroke's rerun
SAVE_HELP = "Save the note (Ctrl+S, or ⌘S on a Mac)."

state = st.session_state


def _messages() -> None:
    if actions.PENDING in state:
        with st.container(border=True):
            st.warning(
                "You have unsaved changes in this note. Open the other note anyway?",
                icon=":material/warning:",
            )
            with st.container(horizontal=True):
                st.button(
                    "Keep writing this one",
                    key="keep_draft",
                    on_click=actions.switch_to_pending,
                    args=(False,),
                )
                st.button(
                    "Discard changes and open it",
                    key="discard_draft",
                    on_click=actions.switch_to_pending,
                    args=(True,),
                )
    if state.get(actions.NOTICE):
        # A toast: it floats over the page, so the form does not move when it goes.
        st.toast(md_text(state.pop(actions.NOTICE)), icon=":material/check_circle:")
    if state.get(actions.ERROR):
        show_error(state[actions.ERROR])
        if state.get(actions.MISSING):
            st.button("Save it as a new note", key="save_as_new", on_click=actions.save_as_new)


def _prefill_title() -> None:
    """`/write?title=…` (a link to a note that does not exist yet) starts that note."""
    wanted = st.query_params.get("title")
    if wanted and draft.view(state).is_new and not draft.is_dirty(state):
        state[draft.TITLE] = wanted[:300]
    st.query_params.pop("title", None)


def _editor(catalog: Catalog) -> DeltaGenerator:
    """The form's fields; returns the slot (atop the preview) for the `[[` suggestions."""
    st.text_input(
        "Title",
        key=draft.TITLE,
        placeholder="What is this note about?",
        persist_state="session",
    )
    # Keywords on a row of their own: at 1280×800 three boxes in one row cut their text.
    with st.container():
        st.multiselect(
            "Keywords",
            sorted(set(catalog.keywords) | set(state.get(draft.KEYWORDS) or ())),
            key=draft.KEYWORDS,
            accept_new_options=True,
            placeholder="Pick or type new ones",
            persist_state="session",
        )
    col_project, col_source = st.columns(2)
    with col_project:
        project_picker(catalog)
    with col_source:
        source_picker(catalog)

    col_body, col_preview = st.columns(2)
    with col_body:
        st.text_area(
            "Body (Markdown)",
            key=draft.BODY,
            height=420,
            placeholder="Write in Markdown. [[Another note]] links to another note: type [[ and "
            "pick it from the list beside the box.",
            help="Kept as you type (a reload or a closed tab loses nothing). The preview "
            "and related notes update when you leave the box or press Ctrl+Enter.",
            persist_state="session",
        )
    with col_preview:
        st.markdown('<p class="kairos-label">Preview</p>', unsafe_allow_html=True)
        with st.container(height=420, border=True):
            # At the top of the preview, beside the text being typed: nothing moves.
            suggestions = st.container()
            body = state.get(draft.BODY) or ""
            if body.strip():
                # Wikilinks live, web images held back; raw HTML is shown as text.
                render_note_body(kairos, body[:PREVIEW_CHARS], scope="preview")
                if len(body) > PREVIEW_CHARS:
                    st.caption(f"The preview shows the first {PREVIEW_CHARS:,} characters.")
            else:
                st.caption("The formatted note appears here.")
    return suggestions


def _buttons() -> None:
    current = draft.view(state)
    busy = actions.saving()
    with st.container(horizontal=True, vertical_alignment="center"):
        st.button(
            "Saving…" if busy else "Save",
            key="save",
            type="primary",
            icon=":material/progress_activity:" if busy else ":material/save:",
            shortcut="Ctrl+S",
            help=SAVE_HELP,
            disabled=busy,
            on_click=actions.request_save,
        )
        st.button(
            "Cancel",
            key="cancel",
            disabled=busy,
            on_click=actions.cancel,
            help="Drop the changes since the last save (asks first when there are some).",
        )
        if not current.is_new:
            st.button(
                "New note",
                key="new_note",
                icon=":material/add:",
                disabled=busy,
                on_click=actions.new_note,
            )
            st.button(
                "Delete",
                key="delete",
                icon=":material/delete:",
                disabled=busy,
                on_click=actions.ask_to_delete,
            )
        if busy:
            st.caption("Saving: the note is being indexed…", width="content")
        elif draft.is_dirty(state):
            st.caption(":material/edit: Unsaved changes (draft kept)", width="content")
        elif not current.is_new:
            st.caption(f":material/cloud_done: Saved · version {current.version}", width="content")
    if state.get(actions.CONFIRM_CANCEL):
        with st.container(border=True):
            st.warning(
                "Drop your unsaved changes? The draft is discarded too.",
                icon=":material/warning:",
            )
            with st.container(horizontal=True):
                st.button(
                    "Keep editing",
                    key="keep_editing_cancel",
                    type="primary",
                    on_click=lambda: state.pop(actions.CONFIRM_CANCEL, None),
                )
                st.button("Discard changes", key="danger_discard", on_click=actions.cancel)
    if state.get(actions.CONFIRM_DELETE) and not current.is_new:
        with st.container(border=True):
            st.warning(
                f"Move “{md_escape(current.title)}” to the trash? It can be restored there.",
                icon=":material/delete:",
            )
            with st.container(horizontal=True):
                st.button("Keep it", key="keep_note", on_click=actions.keep_note)
                st.button(
                    "Yes, move it to the trash",
                    key="confirm_delete",
                    icon=":material/delete:",
                    on_click=actions.delete,
                )


draft.ensure(state)
actions.apply_saved()
if actions.GOTO in state:
    page, params = state.pop(actions.GOTO)
    st.switch_page(page, query_params=params)

# The title and messages sit in fixed slots: a message that comes or goes must not move
# the form, or the browser would rebuild the text boxes under the person's fingers.
title_slot = st.empty()
with st.container():
    kairos = open_kairos()
    actions.resolve_note(kairos)
    _prefill_title()
    draft_store.look_for_draft(kairos)
    draft_store.offer_prompt()
    _messages()
    conflict_panel()
    try:
        catalog = load_catalog(kairos) if kairos is not None else Catalog()
    except Exception as error:  # the form still works: the pickers are just empty
        show_error(friendly(error))
        catalog = Catalog()
current = draft.view(state)
title_slot.title("New note" if current.is_new else "Edit note")

main, side = st.columns([7, 3], gap="large")
with main:
    suggestion_slot = _editor(catalog)
    _buttons()
    if actions.run_requested_save():  # "Saving…" is on screen meanwhile
        st.rerun()  # the form as saved (or the error), Save enabled again
    mount_save_shortcut()
    typed = draft_store.keep_typing_saved(kairos)
    with suggestion_slot:
        link_suggestions(kairos, typed)
with side:
    with st.container(border=True, key="related_panel"):
        draft_related_panel(kairos, draft.view(state), state.get(actions.SAVES, 0))
    if not current.is_new:
        st.page_link(
            nav.NOTE,
            label="Open the note",
            icon=":material/visibility:",
            query_params={"id": str(current.note_id)},
        )
