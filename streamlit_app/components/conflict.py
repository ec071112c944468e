"""The conflict panel: both versions of a note that was saved elsewhere meanwhile."""

from __future__ import annotations

from typing import Literal

import streamlit as st

from streamlit_app.components import draft
from streamlit_app.components import draft_actions as actions
from streamlit_app.components.diff_view import side_by_side

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
        st.markdown(
            "**Saved elsewhere meanwhile** — what differs is highlighted "
            "(struck: only in the saved version; marked: only in yours)."
        )
        side_by_side(
            f"Saved version {conflict['version']} · changed {conflict['updated_at']}",
            _as_text(conflict["title"], conflict["body"]),
            "Your version (not saved)",
            _as_text(mine.title, mine.body),
        )
        with st.container(horizontal=True):
            st.button(
                "Keep editing",
                key="dismiss_conflict",
                type="primary",
                help="Go on with your text; the next Save goes on top of the saved version.",
                on_click=actions.keep_editing,
            )
            st.button("Save mine over it", key="overwrite", on_click=actions.overwrite)
            st.button("Take the saved version", key="take_theirs", on_click=actions.take_theirs)
