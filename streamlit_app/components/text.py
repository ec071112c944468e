"""Showing user text safely: markdown escaping and highlighted snippets.

Everything a person wrote is data, never markup. Text that goes into Streamlit's markdown
(labels, headings, captions) is backslash-escaped; snippets that need <mark> highlights are
HTML-escaped first and only then get the few tags added here.
"""

from __future__ import annotations

import html
import re

from pkm_core.domain.markdown_text import plain_text
from pkm_core.domain.snippet import Snippet

__all__ = ["highlight_snippet", "md_escape", "md_text", "one_line", "plain_text", "shorten"]

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$=^])")
_MESSAGE_SPECIAL = re.compile(r"([\\`*_\[\]<>~$|])")
_SPACES = re.compile(r"\s+")
SNIPPET_CHARS = 280


def md_escape(text: str) -> str:
    """Text shown literally by st.markdown / labels (no emphasis, links, HTML or math)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def md_text(sentence: str) -> str:
    """A sentence (an error, a notice) shown as written: only the characters that would
    start markup are escaped, so the message stays readable in the source too."""
    return _MESSAGE_SPECIAL.sub(r"\\\1", sentence)


def one_line(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def window(text: str, limit: int, around: int = 0) -> tuple[int, int]:
    """(start, end) of at most `limit` characters of `text` keeping `around` in view,
    cut at spaces where one is near."""
    if len(text) <= limit:
        return 0, len(text)
    start = max(0, min(around - limit // 3, len(text) - limit))
    end = start + limit
    if start > 0:
        cut = text.find(" ", start, start + 30)
        start = cut + 1 if cut != -1 else start
    if end < len(text):
        cut = text.rfind(" ", end - 30, end)
        end = cut if cut > start else end
    return start, end


def shorten(text: str, limit: int, around: int = 0) -> str:
    """At most `limit` characters of `text` (plus ellipses where it was cut)."""
    start, end = window(text, limit, around)
    return ("…" if start > 0 else "") + text[start:end] + ("…" if end < len(text) else "")


def highlight_snippet(snippet: Snippet, limit: int = SNIPPET_CHARS) -> str:
    """Safe HTML for a search snippet (text and match spans from the domain's one
    matcher): the text HTML-escaped, only <mark> tags added around the spans."""
    text, spans = snippet.text, list(snippet.spans)
    start, end = window(text, limit, spans[0][0] if spans else 0)
    inside = [(s - start, e - start) for s, e in spans if s >= start and e <= end]
    out, last = [], 0
    body = text[start:end]
    for s, e in inside:
        out += [html.escape(body[last:s]), f"<mark>{html.escape(body[s:e])}</mark>"]
        last = e
    out.append(html.escape(body[last:]))
    return ("…" if start > 0 else "") + "".join(out) + ("…" if end < len(text) else "")
