"""Drafts that survive a reload, a crash or a closed tab.

The form's contents are written to the database (use case `save_draft`) as they are
typed: a small script reports the title and body one second after the last keystroke
(a text box hands its text to Streamlit only when it loses focus), and every rerun
with unsaved changes saves them too. A new note's form has a token in the address
(`/write?draft=…`): after a reload the same token finds its draft; a form opened
afresh offers the newest unsaved draft of a new note. An edit's draft is kept per note.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import streamlit as st

from pkm_core.application.use_cases.drafts import (
    discard_draft,
    get_draft,
    recent_new_drafts,
    save_draft,
)
from pkm_core.bootstrap import Kairos
from pkm_core.domain.history import Draft, new_draft_key, note_draft_key
from streamlit_app.components import draft
from streamlit_app.components.context import require_kairos
from streamlit_app.components.errors import friendly
from streamlit_app.components.note_card import when
from streamlit_app.components.text import md_escape

TOKEN = "draft_token"  # the new-note form's token: its draft's key and its create token
OFFER = "draft_offer"  # a stored draft offered back: its fields as a dict
SAVED_SIG = "draft_saved_signature"  # what was last written, so unchanged reruns write nothing
CHECKED = "draft_checked_key"  # the key whose stored draft was looked up in this session
EPOCH = "draft_epoch_ms"  # when the form last got new contents: older keystrokes are stale
state = st.session_state

_JS = r"""
export default function ({ setStateValue }) {
  let timer = null;
  const field = (label) =>
    document.querySelector(`textarea[aria-label="${label}"], input[aria-label="${label}"]`);
  const running = () => {
    const app = document.querySelector("[data-testid='stApp']");
    return app && app.dataset.testScriptState === "running";
  };
  const report = () => {
    // Never while the app is busy (a save): the rerun this asks for would interrupt it.
    if (running()) { timer = setTimeout(report, 500); return; }
    const title = field("Title");
    const body = field("Body (Markdown)");
    if (!title && !body) return;
    setStateValue("typed", {
      title: title ? title.value : null,
      body: body ? body.value : null,
      // in code points, as Python counts them (an emoji is two UTF-16 units)
      caret: body ? Array.from(body.value.slice(0, body.selectionStart)).length : null,
      at: Date.now(),
    });
  };
  // "[[" not closed before the caret: a link being typed, whose suggestions should follow
  const linkOpen = (el) =>
    /\[\[[^\[\]|#\n]{0,120}$/.test(el.value.slice(0, el.selectionStart));
  const onInput = (event) => {
    const label = event.target && event.target.getAttribute("aria-label");
    if (label !== "Title" && label !== "Body (Markdown)") return;
    clearTimeout(timer);
    const soon = label === "Body (Markdown)" && linkOpen(event.target);
    timer = setTimeout(report, soon ? 350 : 1000);
  };
  // A click or key press (Save, Ctrl+S, a link) starts a rerun of its own, which keeps the
  // draft anyway: a report fired in the same instant would only race with it.
  const onAct = (event) => {
    if (event.type === "pointerdown" || event.ctrlKey || event.metaKey) clearTimeout(timer);
  };
  document.addEventListener("input", onInput, true);
  document.addEventListener("pointerdown", onAct, true);
  document.addEventListener("keydown", onAct, true);
  return () => {
    clearTimeout(timer);
    document.removeEventListener("input", onInput, true);
    document.removeEventListener("pointerdown", onAct, true);
    document.removeEventListener("keydown", onAct, true);
  };
}
"""

_watcher = st.components.v2.component("kairos_draft_watcher", js=_JS)


def key_for_form() -> str:
    note_id = state.get(draft.NOTE_ID)
    return note_draft_key(note_id) if note_id else new_draft_key(form_token())


def form_token() -> str:
    """The new-note form's token, shared with the address so a reload finds it."""
    from_url = st.query_params.get("draft")
    if not state.get(TOKEN):
        state[TOKEN] = from_url if from_url and len(from_url) <= 64 else uuid.uuid4().hex
    return str(state[TOKEN])


def _new_epoch() -> None:
    state[EPOCH] = time.time() * 1000


def new_token() -> None:
    _new_epoch()
    state[TOKEN] = uuid.uuid4().hex
    state.pop(SAVED_SIG, None)
    state.pop(OFFER, None)
    state.pop(CHECKED, None)


def _to_draft(key: str, fields: dict[str, Any]) -> Draft:
    return Draft(
        key=key,
        title=fields.get(draft.TITLE) or "",
        body=fields.get(draft.BODY) or "",
        keywords=", ".join(fields.get(draft.KEYWORDS) or ()),
        project_id=fields.get(draft.PROJECT),
        source_id=fields.get(draft.SOURCE),
        note_id=state.get(draft.NOTE_ID),
        base_version=state.get(draft.VERSION),
    )


def _current_fields(typed: dict[str, Any] | None) -> dict[str, Any]:
    fields = {k: state.get(k) for k in draft.FIELDS}
    if typed:
        if typed.get("title") is not None:
            fields[draft.TITLE] = typed["title"]
        if typed.get("body") is not None:
            fields[draft.BODY] = typed["body"]
    return fields


def keep_typing_saved(kairos: Kairos | None) -> dict[str, Any] | None:
    """Mount the keystroke watcher and write the draft when it changed; the watcher's
    report of what the browser holds (None when it has none newer than the form's)."""
    result = _watcher(key="kairos_draft_watcher", on_typed_change=lambda: None)
    typed = getattr(result, "typed", None)
    if not isinstance(typed, dict) or float(typed.get("at") or 0) < state.get(EPOCH, 0):
        typed = None  # typed into the form's previous contents (before a save or a clear)
    if kairos is not None and OFFER not in state:
        # an offered draft is not overwritten before the person chooses
        _keep_saved(kairos, typed)
    return typed


def forget_typed() -> None:
    """The form's text was just changed by the app: the last report is of the old text."""
    _new_epoch()


def _keep_saved(kairos: Kairos, typed: dict[str, Any] | None) -> None:
    fields = _current_fields(typed)
    signature = (key_for_form(), tuple(str(fields[k]) for k in draft.FIELDS))
    original = dict(zip(draft.FIELDS, state.get(draft.ORIGINAL) or (), strict=False))
    unchanged = all(
        (tuple(fields[k] or ()) if k == draft.KEYWORDS else fields[k]) == original.get(k)
        for k in draft.FIELDS
    )
    if unchanged:
        if state.get(SAVED_SIG) is not None:
            _quietly(lambda: discard_draft(kairos.uow(), signature[0]))
            state.pop(SAVED_SIG, None)
        return
    if state.get(SAVED_SIG) == signature:
        return
    _quietly(lambda: save_draft(kairos.uow(), _to_draft(signature[0], fields)))
    state[SAVED_SIG] = signature
    if not state.get(draft.NOTE_ID):
        st.query_params["draft"] = form_token()


def _quietly(action: Any) -> None:
    try:
        action()
    except Exception as error:  # a draft that cannot be kept must not stop the typing
        state["draft_store_error"] = friendly(error)


def look_for_draft(kairos: Kairos | None) -> None:
    """Once per form: find the stored draft of this form (or, for an empty new note, the
    newest new-note draft) and offer it back."""
    if kairos is None:
        return
    key = key_for_form()
    if state.get(CHECKED) == key:
        return
    state[CHECKED] = key
    try:
        stored = get_draft(kairos.uow(), key)
        if stored is None and not state.get(draft.NOTE_ID) and not draft.is_dirty(state):
            stored = next(iter(recent_new_drafts(kairos.uow(), limit=1)), None)
    except Exception:
        return
    if stored is None or stored.is_empty:
        return
    fields = {
        draft.TITLE: stored.title,
        draft.BODY: stored.body,
        draft.KEYWORDS: [k.strip() for k in stored.keywords.split(",") if k.strip()],
        draft.PROJECT: stored.project_id,
        draft.SOURCE: stored.source_id,
    }
    if all(state.get(k) == v for k, v in fields.items()):
        return  # the form already shows it
    state[OFFER] = {
        "key": stored.key,
        "saved_at": when(stored.saved_at) if stored.saved_at else "",
        "fields": fields,
    }


def restore_offered() -> None:
    offer = state.pop(OFFER, None)
    if not offer:
        return
    for k, v in offer["fields"].items():
        state[k] = v
    if offer["key"].startswith("new:") and not state.get(draft.NOTE_ID):
        state[TOKEN] = offer["key"].removeprefix("new:")
        st.query_params["draft"] = state[TOKEN]
    state.pop(SAVED_SIG, None)


def discard_offered() -> None:
    offer = state.pop(OFFER, None)
    if offer:
        _quietly(lambda: discard_draft(require_kairos().uow(), offer["key"]))


def offer_prompt() -> None:
    offer = state.get(OFFER)
    if not offer:
        return
    with st.container(border=True, key="draft_offer_box"):
        title = offer["fields"][draft.TITLE].strip() or "untitled"
        st.info(
            f"Restore the unsaved draft of {offer['saved_at'][-5:]} "
            f"(“{md_escape(title)}”, {offer['saved_at'][:10]})?",
            icon=":material/history:",
        )
        with st.container(horizontal=True):
            st.button(
                "Restore the draft",
                key="restore_draft",
                type="primary",
                icon=":material/restore:",
                on_click=restore_offered,
            )
            st.button("Discard it", key="danger_discard_draft", on_click=discard_offered)


def forget_form_draft() -> None:
    """After a save or a discard: the next form starts clean."""
    _new_epoch()
    state.pop(SAVED_SIG, None)
    state.pop(OFFER, None)
