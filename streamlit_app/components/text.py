"""Showing user text safely: markdown escaping and highlighted snippets.

Everything a person wrote is data, never markup. Text that goes into Streamlit's markdown
(labels, headings, captions) is backslash-escaped; snippets that need <mark> highlights are
HTML-escaped first and only then get the few tags added here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from pkm_core.domain.text import fold_accents

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$=^])")
_MESSAGE_SPECIAL = re.compile(r"([\\`*_\[\]<>~$|])")
_SPACES = re.compile(r"\s+")
_MARKED = re.compile(r"«([^«»]*)»")  # ts_headline's StartSel/StopSel around a match
_WORD = re.compile(r"\w+")
SNIPPET_CHARS = 280


_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_WIKILINK = re.compile(r"\[\[([^\]|]+)(?:\|([^\]]+))?\]\]")
_MD_HEADING = re.compile(r"(?m)^\s{0,3}#{1,6}\s+")
_MD_QUOTE_OR_BULLET = re.compile(r"(?m)^\s{0,3}(?:>|[-*+]|\d+[.)])\s+")
_MD_EMPHASIS = re.compile(r"(\*{1,3}|~~|`+)(?=\S)(.+?)(?<=\S)\1")
_MD_UNDERSCORE = re.compile(r"(?<!\w)(_{1,3})(?=\S)(.+?)(?<=\S)\1(?!\w)")  # not in snake_case


def plain_text(markdown: str) -> str:
    """Markdown reduced to its words, for one-line excerpts and snippets."""
    text = _MD_IMAGE.sub(r"\1", markdown)
    text = _WIKILINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_HEADING.sub("", text)
    text = _MD_QUOTE_OR_BULLET.sub("", text)
    return _MD_UNDERSCORE.sub(r"\2", _MD_EMPHASIS.sub(r"\2", text))


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


def query_terms(query: str) -> list[str]:
    """Words of a search query worth highlighting (folded, lower case, 2+ characters)."""
    return sorted({w for w in _WORD.findall(fold_accents(query).lower()) if len(w) >= 2})


def _term_spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """Spans of words in `text` that start with a query term (accents and case ignored)."""
    if not terms:
        return []
    spans = []
    for match in _WORD.finditer(text):
        folded = fold_accents(match.group()).lower()
        if any(folded.startswith(term) for term in terms):
            spans.append(match.span())
    return spans


def _unmark(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Remove «…» markers, returning the plain text and the spans they enclosed."""
    plain: list[str] = []
    spans: list[tuple[int, int]] = []
    length = last = 0
    for match in _MARKED.finditer(text):
        before = text[last : match.start()]
        plain += [before, match.group(1)]
        length += len(before)
        spans.append((length, length + len(match.group(1))))
        length += len(match.group(1))
        last = match.end()
    plain.append(text[last:])
    return "".join(plain), spans


def _render(text: str, spans: Sequence[tuple[int, int]]) -> str:
    out, last = [], 0
    for start, end in spans:
        out.append(html.escape(text[last:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        last = end
    out.append(html.escape(text[last:]))
    return "".join(out)


def highlight_snippet(snippet: str, query: str, limit: int = SNIPPET_CHARS) -> str:
    """Safe HTML for a search snippet, matches wrapped in <mark>.

    Search marks matches with «…»; a snippet without marks (a passage found by meaning
    alone) gets the query's words marked here, where they occur.
    """
    text = one_line(plain_text(snippet))
    if _MARKED.search(text):
        text, spans = _unmark(text)
    else:
        spans = _term_spans(text, query_terms(query))
    start, end = window(text, limit, spans[0][0] if spans else 0)
    inside = [(s - start, e - start) for s, e in spans if s >= start and e <= end]
    body = _render(text[start:end], inside)
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")
