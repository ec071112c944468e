"""The address tells the truth: a page's search and filters live in its query string.

`from_url` runs before the widgets: on arriving at the page (a reload, a bookmark, Back
from another page, a pasted link) the address's values go into the widgets' state, when
they differ from what this session last wrote there. Within the page the widgets lead
(a rerun may carry the address from before the last update) and `to_url`, run after
them, writes what they hold back into the address.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from streamlit_app.components.context import just_arrived

_WRITTEN = "url_written"  # {page: {param: [values]}} as this session last wrote them
state = st.session_state


@dataclass(frozen=True)
class Param:
    """A query parameter bound to a widget's state key."""

    name: str
    key: str
    parse: Callable[[list[str]], Any]  # the URL's values -> the widget's value
    show: Callable[[Any], list[str]]  # the widget's value -> the URL's values


def text_param(name: str, key: str) -> Param:
    return Param(name, key, lambda v: v[0][:1000] if v else "", lambda x: [x] if x else [])


def list_param(name: str, key: str) -> Param:
    return Param(name, key, lambda v: list(dict.fromkeys(v)), lambda x: list(x or []))


def int_param(name: str, key: str) -> Param:
    def parse(values: list[str]) -> int | None:
        return int(values[0]) if values and values[0].isdigit() else None

    return Param(name, key, parse, lambda x: [] if x is None else [str(x)])


def choice_param(name: str, key: str, choices: list[Any], default: Any) -> Param:
    by_text = {str(c): c for c in choices}
    return Param(
        name,
        key,
        lambda v: by_text.get(v[0], default) if v else default,
        lambda x: [] if x is None or x == default else [str(x)],
    )


def from_url(page: str, params: list[Param]) -> None:
    address = {p.name: st.query_params.get_all(p.name) for p in params}
    if not just_arrived() or address == state.get(_WRITTEN, {}).get(page):
        return
    for p in params:
        state[p.key] = p.parse(address[p.name])


def to_url(page: str, params: list[Param]) -> None:
    written = {}
    for p in params:
        values = p.show(state.get(p.key))
        if values:
            st.query_params[p.name] = values if len(values) > 1 else values[0]
        else:
            st.query_params.pop(p.name, None)
        written[p.name] = values
    state.setdefault(_WRITTEN, {})[page] = written
