"""A note's versions: pick one, see it beside the current text, restore it."""

from __future__ import annotations

import streamlit as st

from pkm_core.application.use_cases.history import get_revision, list_revisions, restore_revision
from pkm_core.bootstrap import Kairos
from pkm_core.domain.note import Note
from streamlit_app.components.context import flash, require_kairos
from streamlit_app.components.diff_view import side_by_side
from streamlit_app.components.errors import friendly, show_error
from streamlit_app.components.note_card import when

state = st.session_state


def _restore(note_id: int, version: int, current_version: int) -> None:
    try:
        kairos = require_kairos()
        saved = restore_revision(kairos.uow(), kairos.embedder, note_id, version, current_version)
    except Exception as error:
        state["history_error"] = friendly(error)
        return
    relinked = f"; links updated in {len(saved.relinked)} notes" if saved.relinked else ""
    flash(f"Restored version {version} as version {saved.note.version}{relinked}.")


def history_panel(kairos: Kairos, note: Note) -> None:
    versions = list_revisions(kairos.uow(), note.id)
    older = [v for v in versions if not v.current]
    count = f"{len(versions)} version{'' if len(versions) == 1 else 's'}"
    with st.expander(f"History · {count}", icon=":material/history:"):
        if not older:
            st.caption("Only this version so far: every save keeps the one before it.")
            return
        labels = {v.version: f"Version {v.version} · {when(v.saved_at)}" for v in older}
        chosen = st.selectbox(
            "Compare the current text with",
            list(labels),
            format_func=labels.__getitem__,
            key=f"history_pick_{note.id}",
        )
        old = get_revision(kairos.uow(), note.id, chosen)
        side_by_side(
            f"Version {old.version} · {old.title}",
            old.body,
            f"Current (version {note.version}) · {note.title}",
            note.body,
        )
        st.button(
            f"Restore version {old.version}",
            key="restore_revision",
            icon=":material/restore:",
            help="Saves that version's title, text and labels as a new version; nothing is lost.",
            on_click=_restore,
            args=(note.id, old.version, note.version),
        )
        if state.get("history_error"):
            show_error(state.pop("history_error"))
