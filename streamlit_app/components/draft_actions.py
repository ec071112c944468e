"""What the Write page's buttons do, and which note the form holds.

Button actions are callbacks: Streamlit runs them before it draws the widgets, so they may
change the form (load a note, take the saved version). They never raise: a failure is
kept in the session as one sentence and shown by the page, with the draft untouched.
"""

from __future__ import annotations

import streamlit as st

from pkm_core.application.dto import LinkedNote
from pkm_core.application.use_cases.drafts import discard_draft
from pkm_core.application.use_cases.notes import create_note, delete_note, get_note, save_note
from pkm_core.bootstrap import Kairos
from pkm_core.domain.errors import NoteNotFound, VersionConflict
from pkm_core.domain.history import new_draft_key
from streamlit_app.components import draft, draft_store, nav
from streamlit_app.components.context import flash, just_arrived, require_kairos
from streamlit_app.components.errors import friendly, show_error
from streamlit_app.components.note_card import when

ERROR = "write_error"
NOTICE = "write_notice"
CONFLICT = "write_conflict"
MISSING = "write_missing"  # the note was deleted elsewhere: offer to save it as new
CONFIRM_DELETE = "write_confirm_delete"
PENDING = "write_pending_note"  # another note was asked for while this draft has changes
GOTO = "write_goto"
SAVES = "write_saves"  # bumps on every save: refreshes the related panel
CONFIRM_CANCEL = "write_confirm_cancel"
SAVING = "write_saving"  # Save was pressed: this run shows "Saving…", then saves
SAVED_NOTE = "write_saved_note"  # what a save stored, loaded into the form by the next run

state = st.session_state


def fail(message: str) -> None:
    state[ERROR] = message
    state.pop(NOTICE, None)


def request_save() -> None:
    """The Save button. The run it starts draws the page with Save disabled ("Saving…"),
    then saves (`run_requested_save`), so a slow save shows that it is working and cannot
    be pressed twice; a click that still gets through is answered by the form's token."""
    state[SAVING] = True


def saving() -> bool:
    return bool(state.get(SAVING))


def run_requested_save() -> bool:
    """Once "Saving…" is drawn: save if Save was pressed; True if it did (the page then
    reruns, and `apply_saved` puts the stored note in the form before any widget)."""
    if not state.pop(SAVING, False):
        return False
    save()
    return True


def apply_saved() -> None:
    """At the top of the page's run: the note a save stored, into the form's fields
    (widgets' values can only change before the widgets are drawn)."""
    note = state.pop(SAVED_NOTE, None)
    if note is not None:
        draft.load(state, note)  # the stored form (keywords normalised, version +1)
        draft_store.forget_form_draft()


def save() -> None:
    for key in (ERROR, NOTICE, CONFLICT, MISSING):
        state.pop(key, None)
    current = draft.view(state)
    if current.note_id is not None and not draft.is_dirty(state):
        # A second click (or Ctrl+S twice): nothing new to keep, no empty version.
        state[NOTICE] = f"Nothing changed since version {current.version}."
        return
    relinked: tuple[LinkedNote, ...] = ()
    try:
        kairos = require_kairos()
        new_draft = draft.to_note_draft(state)
        if current.note_id is None:
            token = draft_store.form_token()
            # The form's token makes a repeated create (a double click, a second tab
            # on the same form, a retried request) return this note instead of a second.
            note = create_note(
                kairos.uow(),
                kairos.embedder,
                new_draft,
                create_token=token,
                draft_key=new_draft_key(token),
            )
        else:
            assert current.version is not None
            saved = save_note(
                kairos.uow(), kairos.embedder, current.note_id, new_draft, current.version
            )
            note, relinked = saved.note, saved.relinked
    except VersionConflict as conflict:
        fail(str(conflict))
        try:
            theirs = get_note(require_kairos().uow(), conflict.note_id)
        except Exception as error:
            fail(f"{conflict} {friendly(error)}")
            return
        state[CONFLICT] = {
            "note_id": theirs.id,
            "version": theirs.version,
            "title": theirs.title,
            "body": theirs.body,
            "keywords": list(theirs.keywords),
            "project_id": theirs.project_id,
            "source_id": theirs.source_id,
            "updated_at": when(theirs.updated_at),
        }
    except NoteNotFound as missing:
        fail(str(missing))
        state[MISSING] = True
    except Exception as error:
        fail(friendly(error))
    else:
        state[SAVED_NOTE] = note  # first: a rerun that interrupts what follows still has it
        links = ""
        if relinked:
            count = len(relinked)
            links = f" Links to it were updated in {count} {'note' if count == 1 else 'notes'}."
        state[NOTICE] = f"Saved “{note.title}” (version {note.version}).{links}"
        state[SAVES] = state.get(SAVES, 0) + 1
        st.query_params.pop("draft", None)
        st.query_params.pop("title", None)
        st.query_params["note"] = str(note.id)


def overwrite() -> None:
    """Save this draft over the version saved elsewhere: an explicit choice, never silent."""
    conflict = state.get(CONFLICT)
    if conflict:
        state[draft.VERSION] = conflict["version"]
    save()


def take_theirs() -> None:
    conflict = state.pop(CONFLICT, None)
    state.pop(ERROR, None)
    if not conflict:
        return
    state[draft.TITLE] = conflict["title"]
    state[draft.BODY] = conflict["body"]
    state[draft.KEYWORDS] = conflict["keywords"]
    state[draft.PROJECT] = conflict["project_id"]
    state[draft.SOURCE] = conflict["source_id"]
    state[draft.VERSION] = conflict["version"]
    state[draft.ORIGINAL] = draft.fields_of(state)
    state[NOTICE] = f"Loaded the saved version {conflict['version']}; your changes were dropped."


def save_as_new() -> None:
    state[draft.NOTE_ID] = None
    state[draft.VERSION] = None
    save()


def dismiss() -> None:
    for key in (ERROR, CONFLICT, MISSING):
        state.pop(key, None)


def keep_editing() -> None:
    """Go on with this draft on top of the newest saved version: the next Save succeeds
    (the person has seen what changed there)."""
    conflict = state.get(CONFLICT)
    if conflict:
        state[draft.VERSION] = conflict["version"]
    dismiss()


def new_note() -> None:
    for key in (ERROR, NOTICE, CONFLICT, MISSING, CONFIRM_DELETE, PENDING, CONFIRM_CANCEL):
        state.pop(key, None)
    draft.clear(state)
    draft_store.new_token()
    st.query_params.pop("note", None)
    st.query_params.pop("draft", None)


def cancel() -> None:
    if draft.is_dirty(state) and not state.get(CONFIRM_CANCEL):
        state[CONFIRM_CANCEL] = True  # ask first: unsaved changes would be dropped
        return
    state.pop(CONFIRM_CANCEL, None)
    note_id = state.get(draft.NOTE_ID)
    try:
        discard_draft(require_kairos().uow(), draft_store.key_for_form())
    except Exception as error:
        fail(friendly(error))
        return
    new_note()
    state[GOTO] = (nav.NOTE, {"id": str(note_id)}) if note_id else (nav.NOTES, None)


def ask_to_delete() -> None:
    state[CONFIRM_DELETE] = True


def keep_note() -> None:
    state.pop(CONFIRM_DELETE, None)


def delete() -> None:
    state.pop(CONFIRM_DELETE, None)
    current = draft.view(state)
    if current.note_id is None:
        return
    try:
        kairos = require_kairos()
        delete_note(kairos.uow(), current.note_id, current.version)
    except Exception as error:
        fail(friendly(error))
        return
    new_note()
    flash(f"Moved “{current.title}” to the trash; restore it from the Trash page.")
    state[GOTO] = (nav.NOTES, None)


def switch_to_pending(discard: bool) -> None:
    pending = state.pop(PENDING, None)
    if not discard or pending is None:
        if state.get(draft.NOTE_ID):
            st.query_params["note"] = str(state[draft.NOTE_ID])
        return
    try:
        note = get_note(require_kairos().uow(), pending)
    except Exception as error:
        fail(friendly(error))
        return
    new_note()
    draft.load(state, note)
    st.query_params["note"] = str(note.id)


def resolve_note(kairos: Kairos | None) -> None:
    """Match the form to the URL: `?note=12` edits note 12, no parameter writes a new one."""
    requested = nav.query_int("note")
    current = state.get(draft.NOTE_ID)
    dirty = draft.is_dirty(state)
    if requested is not None and (requested != current or (just_arrived() and not dirty)):
        if dirty and requested != current:
            state[PENDING] = requested  # ask before dropping unsaved changes
            return
        if kairos is None:
            return
        try:
            note = get_note(kairos.uow(), requested)
        except Exception as error:
            show_error(friendly(error))
            st.query_params.pop("note", None)
            if requested != current:
                draft.clear(state)
            return
        draft.load(state, note)
    elif requested is None and current is not None and just_arrived() and not dirty:
        draft.clear(state)  # "Write" in the menu after an edit: a new note
    if state.get(draft.NOTE_ID) and PENDING not in state:
        st.query_params["note"] = str(state[draft.NOTE_ID])
