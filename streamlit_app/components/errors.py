"""Turning failures into one sentence on the page, never a traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import streamlit as st

from pkm_core.domain.errors import KairosError
from streamlit_app.components.text import md_text

log = logging.getLogger(__name__)
T = TypeVar("T")


def friendly(error: Exception) -> str:
    """The sentence to show for `error` (Kairos errors carry their own)."""
    if isinstance(error, KairosError):
        return str(error)
    # Anything else is a bug or an outage we did not foresee: keep the details in the log.
    log.exception("Unexpected error in the UI", exc_info=error)
    first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return f"Something went wrong ({first_line}). Nothing you typed was lost."


def show_error(message: str) -> None:
    """One sentence in a red box; it may quote what the person typed, so it is escaped."""
    st.error(md_text(message), icon=":material/error:")


@contextmanager
def shown_errors() -> Iterator[None]:
    """`with shown_errors(): ...` shows any error as `st.error` and carries on with the page."""
    try:
        yield
    except Exception as error:
        show_error(friendly(error))


def attempt(action: Callable[[], T]) -> T | None:
    """Run `action`; on failure show the error and return None."""
    try:
        return action()
    except Exception as error:
        show_error(friendly(error))
        return None
