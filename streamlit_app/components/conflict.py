"""The conflict panel: both versions of a note that was saved elsewhere meanwhile."""

from __future__ import annotations

from typing import Literal

import streamlit as st

from streamlit_app.components import draft
from streamlit_app.components import draft_actions as actions

state = st.session_state


def _as_text(title: str, body: str) -> str:
    return f"# {title}\n\n{body}"


def _height(body: str) -> int | Literal["content"]:
    """Short versions take the room they need; long ones scroll in a fixed box."""
    return "content" if body.count("\n") < 12 and len(body) < 900 else 300


def conflict_panel() -> None:
    conflict = state.get(actions.CONFLICT)
    if not conflict:
        return
    mine = draft.view(state)
    with st.container(border=True):
        st.markdown("**Both versions** — choose which one to keep.")
        left, right = st.columns(2)
        with left:
            st.caption("Your version (not saved)")
            st.code(_as_text(mine.title, mine.body), "markdown", height=_height(mine.body))
        with right:
            st.caption(f"Saved version {conflict['version']} · changed {conflict['updated_at']}")
            theirs = _as_text(conflict["title"], conflict["body"])
            st.code(theirs, "markdown", height=_height(conflict["body"]))
        with st.container(horizontal=True):
            st.button(
                "Save mine over it", key="overwrite", type="primary", on_click=actions.overwrite
            )
            st.button("Take the saved version", key="take_theirs", on_click=actions.take_theirs)
            st.button("Keep editing", key="dismiss_conflict", on_click=actions.dismiss)
