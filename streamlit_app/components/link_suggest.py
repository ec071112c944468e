"""Typing `[[` offers the notes it may link to: a list beside the body, a click completes it.

Streamlit's text area hands its text to the app only when it loses focus, so the list is
fed by the draft watcher (`draft_store`), which reports the text and the caret a moment
after the last keystroke (sooner while a `[[` is open). The unclosed `[[fragment` before
the caret is matched against titles and aliases (`suggest_link_targets`); a click puts
`[[Title]]` in its place (`[[Title|alias]]` for an alias). The list sits at the top of
the preview box, beside the text, so nothing on the page moves when it comes and goes.

Why a list beside the editor rather than a custom editor component with a pop-up at the
caret: the body stays Streamlit's own text area (its undo, spell-check, drafts and
keyboard shortcuts keep working), and no second copy of the text lives in the browser.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from pkm_core.application.dto import TitleMatch
from pkm_core.application.use_cases.notes import suggest_link_targets
from pkm_core.bootstrap import Kairos
from pkm_core.domain.link import OpenLink, complete_wikilink, open_wikilink
from streamlit_app.components import draft, draft_store
from streamlit_app.components.text import md_escape, shorten

LABEL_CHARS = 48
state = st.session_state


def _typed_body(typed: dict[str, Any] | None) -> tuple[str, int | None]:
    """The body as the browser has it (the watcher's report), else as the form holds it."""
    if typed and isinstance(typed.get("body"), str):
        caret = typed.get("caret")
        return typed["body"], caret if isinstance(caret, int) else None
    return state.get(draft.BODY) or "", None


def _complete(match: TitleMatch, typed_body: str, caret: int | None) -> None:
    """On click: the link being typed becomes `[[Title]]` in the newest text."""
    body = state.get(draft.BODY) or ""
    link: OpenLink | None = open_wikilink(body, caret if body == typed_body else None)
    if link is None:
        body, link = typed_body, open_wikilink(typed_body, caret)
    if link is None:
        return
    state[draft.BODY] = complete_wikilink(body, link, match.title, match.alias)
    draft_store.forget_typed()  # the report of the text before the click is stale now


def _label(match: TitleMatch) -> str:
    title = md_escape(shorten(match.title, LABEL_CHARS))
    if match.alias:
        return f"{md_escape(shorten(match.alias, LABEL_CHARS))} → {title}"
    return title


def link_suggestions(kairos: Kairos | None, typed: dict[str, Any] | None) -> None:
    """The notes matching the `[[` being typed, as buttons; nothing when no link is open."""
    body, caret = _typed_body(typed)
    link = open_wikilink(body, caret)
    if kairos is None or link is None:
        return
    try:
        matches = suggest_link_targets(kairos.uow(), link.fragment, state.get(draft.NOTE_ID))
    except Exception:  # suggestions are a help; the editor works without them
        return
    with st.container(key="link_suggestions", gap="small"):
        if not matches:
            st.caption(
                f":material/add_link: No note is titled “{md_escape(link.fragment)}” yet: "
                "the link will offer to write it.",
            )
            return
        st.caption(":material/link: Link to:", width="content")
        for i, match in enumerate(matches):
            st.button(
                _label(match),
                key=f"link_suggestion_{i}",
                type="tertiary",
                help=md_escape(f"Insert [[{match.title}]]"),
                on_click=_complete,
                args=(match, body, caret),
            )
        st.divider()
