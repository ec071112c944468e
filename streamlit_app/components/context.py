"""What every page needs first: the Kairos container, or a clear message why it is missing."""

from __future__ import annotations

import streamlit as st

from pkm_core.bootstrap import Kairos
from pkm_core.domain.errors import KairosError, StorageUnavailable
from streamlit_app.components.text import md_text
from streamlit_app.runtime import get_kairos

_PAGE = "kairos_page"
_PREVIOUS_PAGE = "kairos_previous_page"


def require_kairos() -> Kairos:
    """The container; whatever stops it from starting becomes one sentence to show."""
    try:
        return get_kairos()
    except KairosError:
        raise
    except Exception as error:  # e.g. an unreachable external server during migrations
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise StorageUnavailable(
            f"Kairos cannot reach its database ({reason}). Check DATABASE_URL_SYNC or "
            "start the server; nothing you typed is lost."
        ) from error


def open_kairos() -> Kairos | None:
    """The container (database started, migrated), or None after showing why it failed."""
    try:
        return require_kairos()
    except KairosError as error:
        st.error(md_text(str(error)), icon=":material/database_off:")
        return None


def track_page(url_path: str) -> None:
    """Remember which page ran last, so a page can tell a fresh arrival from a rerun."""
    st.session_state[_PREVIOUS_PAGE] = st.session_state.get(_PAGE)
    st.session_state[_PAGE] = url_path


def just_arrived() -> bool:
    return st.session_state.get(_PREVIOUS_PAGE) != st.session_state.get(_PAGE)


def flash(message: str) -> None:
    """A success message shown once, on the next page that calls `show_flash`."""
    st.session_state["kairos_flash"] = message


def show_flash() -> None:
    """In a slot of its own, so that the page below does not move when it goes."""
    message = st.session_state.pop("kairos_flash", None)
    with st.container():
        if message:
            st.success(md_text(message), icon=":material/check_circle:")
