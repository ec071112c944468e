"""Two texts side by side with their word-level differences highlighted.

Every piece of text is HTML-escaped before the few tags added here (<del>, <ins>)."""

from __future__ import annotations

import html

import streamlit as st

from pkm_core.domain.diff import word_diff

MAX_DIFF_CHARS = 60_000  # beyond this a word diff would stall the page; the start is shown


def diff_html(old: str, new: str) -> tuple[str, str]:
    """(old side, new side) as safe HTML: removed words struck on the old side, added
    words marked on the new one."""
    left, right = [], []
    for piece in word_diff(old[:MAX_DIFF_CHARS], new[:MAX_DIFF_CHARS]):
        text = html.escape(piece.text)
        if piece.kind == "same":
            left.append(text)
            right.append(text)
        elif piece.kind == "removed":
            left.append(f'<del class="kairos-del">{text}</del>')
        else:
            right.append(f'<ins class="kairos-ins">{text}</ins>')
    return "".join(left), "".join(right)


def side_by_side(old_label: str, old: str, new_label: str, new: str) -> None:
    left_html, right_html = diff_html(old, new)
    left, right = st.columns(2)
    for column, label, body in ((left, old_label, left_html), (right, new_label, right_html)):
        with column:
            st.caption(label)
            with st.container(height=320, border=True):
                st.markdown(f'<div class="kairos-diff">{body}</div>', unsafe_allow_html=True)
    if max(len(old), len(new)) > MAX_DIFF_CHARS:
        st.caption(f"Differences are shown for the first {MAX_DIFF_CHARS:,} characters.")
