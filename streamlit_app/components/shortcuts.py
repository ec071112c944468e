"""App-wide keys: Ctrl+K or / jumps to search, Alt+N starts a new note (Ctrl+S saves on
the Write page, see save_shortcut.py). They follow the sidebar's own links, so the
address changes as if the person had clicked them."""

from __future__ import annotations

import streamlit as st

KEYS_HELP = "Keys: **Ctrl+S** save · **Ctrl+K** or **/** search · **Alt+N** new note"

_JS = """
export default function () {
  const follow = (path) => {
    const link = [...document.querySelectorAll('[data-testid="stSidebarNav"] a')]
      .find((a) => new URL(a.href).pathname.replace(/\\/$/, "").endsWith("/" + path));
    if (link) link.click();
  };
  const focusSearch = (tries) => {
    const box = document.querySelector('input[aria-label="Search"]');
    if (box) { box.focus(); return; }
    if (tries > 0) setTimeout(() => focusSearch(tries - 1), 100);
  };
  const onKey = (event) => {
    const key = (event.key || "").toLowerCase();
    const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement?.tagName)
      || document.activeElement?.isContentEditable;
    if ((key === "k" && (event.ctrlKey || event.metaKey)) || (key === "/" && !typing)) {
      event.preventDefault();
      follow("search");
      focusSearch(30);
    } else if (event.altKey && (key === "n" || event.code === "KeyN")) {
      event.preventDefault();
      follow("write");
    }
  };
  // [[Wikilinks]] in a note open in this tab (Streamlit's Markdown opens links in a new
  // one): the address changes, and Back and reload behave as for any page.
  const onClick = (event) => {
    const link = event.target.closest && event.target.closest(
      '[data-testid="stMarkdownContainer"] a[href^="note?id="],' +
      '[data-testid="stMarkdownContainer"] a[href^="write?title="]'
    );
    // A page link from one note to another (related notes, links both ways): Streamlit
    // would show the other note but keep the old address, so reload and Back would lie.
    const onNotePage = location.pathname.replace(/\\/$/, "").endsWith("/note");
    const pageLink = onNotePage && event.target.closest && event.target.closest(
      '[data-testid="stPageLink"] a[href*="note?id="]'
    );
    const target = link || pageLink;
    if (!target || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    event.stopPropagation();
    window.location.assign(target.href);
  };
  window.addEventListener("keydown", onKey, true);
  document.addEventListener("click", onClick, true);
  return () => {
    window.removeEventListener("keydown", onKey, true);
    document.removeEventListener("click", onClick, true);
  };
}
"""

_component = st.components.v2.component("kairos_shortcuts", js=_JS)


def mount_shortcuts() -> None:
    _component(key="kairos_shortcuts")
    st.caption(KEYS_HELP)
