"""Markdown reduced to its words: for excerpts and search snippets (no markup survives)."""

from __future__ import annotations

import re

_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_WIKILINK = re.compile(r"\[\[([^\]|]+)(?:\|([^\]]+))?\]\]")
_MD_HEADING = re.compile(r"(?m)^\s{0,3}#{1,6}\s+")
_MD_QUOTE_OR_BULLET = re.compile(r"(?m)^\s{0,3}(?:>|[-*+]|\d+[.)])\s+")
_CALLOUT_MARK = re.compile(r"(?m)^\s{0,3}(?:>\s*)*\[![\w-]+\][+-]?[ \t]*")  # > [!tip]- Title
# The leading lookaheads change no match: they let the scan skip ordinary characters
# fast (twice to four times faster over a 20,000-character search passage).
_MD_EMPHASIS = re.compile(r"(?=[*~`])(\*{1,3}|~~|`+)(?=\S)(.+?)(?<=\S)\1")
_MD_UNDERSCORE = re.compile(r"(?=_)(?<!\w)(_{1,3})(?=\S)(.+?)(?<=\S)\1(?!\w)")  # not snake_case


def plain_text(markdown: str) -> str:
    """Markdown reduced to its words, for one-line excerpts and snippets."""
    # A pattern runs only where the characters it needs are present (it cannot match
    # otherwise): most passages hold little markup, and a page of search hits or related
    # notes reduces 10-16 of them per call (docs/PERFORMANCE.md, issue 12).
    text = _MD_IMAGE.sub(r"\1", markdown) if "![" in markdown else markdown
    if "[[" in text:
        text = _WIKILINK.sub(lambda m: m.group(2) or m.group(1), text)
    if "](" in text:
        text = _MD_LINK.sub(r"\1", text)
    if "#" in text:
        text = _MD_HEADING.sub("", text)
    text = _MD_QUOTE_OR_BULLET.sub("", text)
    if "[!" in text:
        text = _CALLOUT_MARK.sub("", text)
    if "*" in text or "~" in text or "`" in text:
        text = _MD_EMPHASIS.sub(r"\2", text)
    return _MD_UNDERSCORE.sub(r"\2", text) if "_" in text else text
