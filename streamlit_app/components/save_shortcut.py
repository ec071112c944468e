"""Make the Save button's Ctrl/⌘+S keep what is being typed.

Streamlit's button shortcut fires without taking the focus off the text box being typed
in, and a text box hands its text to the app only when it loses focus. So Ctrl+S straight
from the body would save the text as it was before the last edit. This small script,
mounted on the Write page, takes the focus off the box first (which hands the text over)
and puts it back afterwards; Streamlit's own shortcut then presses Save.
"""

from __future__ import annotations

import streamlit as st

_JS = """
export default function () {
  const commitFirst = (event) => {
    const key = (event.key || "").toLowerCase();
    if (key !== "s" || !(event.ctrlKey || event.metaKey) || event.altKey) return;
    const box = document.activeElement;
    if (!box || !["TEXTAREA", "INPUT"].includes(box.tagName)) return;
    box.blur();
    setTimeout(() => box.isConnected && box.focus(), 0);
  };
  // Capture phase on window: runs before Streamlit's own shortcut listener.
  window.addEventListener("keydown", commitFirst, true);
  return () => window.removeEventListener("keydown", commitFirst, true);
}
"""

_component = st.components.v2.component("kairos_save_shortcut", js=_JS)


def mount_save_shortcut() -> None:
    _component(key="kairos_save_shortcut")
