"""The import's first reading learns the same names, titles and aliases as the full parse."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pkm_core.application.ingest.first_reading import Named, read_name
from pkm_core.application.ingest.parse import ParsedNote, parse_markdown, parse_record
from pkm_core.application.ingest.source import RawEntry
from pkm_core.domain.text import MAX_BODY_CHARS


def full(entry: RawEntry) -> Named | None:
    """What the first reading took from `parse_markdown` / `parse_record` before."""
    if entry.kind == "markdown":
        parsed = parse_markdown(entry)
    else:
        parsed = parse_record(entry, f"jsonl:{entry.source}")
    if not isinstance(parsed, ParsedNote):
        return None
    if parsed.vault is None:
        return Named(parsed.external_id, parsed.title)
    vault = parsed.vault
    return Named(parsed.external_id, parsed.title, vault.path, vault.name, vault.aliases)


LONG = "x" * MAX_BODY_CHARS
FILES = {
    "plain.md": "# Hello\n\nNo front matter at all.",
    "with yaml.md": "---\ntags: [a, b]\ncreated: 2024-01-01\n---\nBody #inline [[Link]]",
    "aliases.md": "---\naliases: [First, ' Second ', First, '']\n---\nBody",
    "alias text.md": "---\nAlias: one, two\n---\nBody",
    "alias not a list.md": "---\naliases: {a: 1}\n---\nBody",
    "aliases of numbers.md": "---\naliases: [1, 2.5, true, null, [x]]\n---\nBody",
    "yaml title.md": "---\ntitle: Not used\n---\nBody",
    "escaped key.md": '---\n"\\x61liases": [Hidden]\n---\nBody',
    "broken yaml.md": "---\ntags: [a\n---\nBody",
    "broken yaml with alias.md": "---\naliases: [a\n---\nBody",
    "not a mapping.md": "---\n- a\n- b\n---\nBody",
    "crlf.md": "---\r\naliases: [Windows]\r\n---\r\nBody\r\n",
    "pages/a___b.md": "title:: Logseq Title\nalias:: Other, More\n\n- block",
    "pages/c%2Fd.md": "- no properties",
    "journals/2024_01_01.md": "alias:: Today\n- entry",
    "title only spaces.md": "title::    \n- x",
    "   .md": "an empty name",
    "long but split fits.md": "---\ntags: [a]\n---\n" + LONG[:-30],
    "long broken yaml.md": "---\ntags: [a\n---\n" + LONG[:-30],
    "too long.md": LONG + "y",
    "too long with yaml.md": "---\ntags: [a]\n---\n" + LONG + "y",
    "nul.md": "bad\x00byte",
}


def entries() -> list[RawEntry]:
    found = [RawEntry("markdown", p, p, data=t.encode()) for p, t in FILES.items()]
    found.append(RawEntry("markdown", "latin1.md", "latin1.md", data="café".encode("latin-1")))
    for n, record in enumerate(
        [{"title": "A", "text": "x", "id": 7}, {"text": "untitled words"}, {}, [1], {"text": 3}]
    ):
        found.append(RawEntry("record", f"f.jsonl line {n}", record=record))
    found.append(RawEntry("problem", "odd", problem="odd was skipped: unreadable."))
    return found


@pytest.mark.parametrize("entry", entries(), ids=lambda e: e.source)
def test_the_first_reading_learns_what_the_full_parse_learns(entry: RawEntry) -> None:
    assert read_name(entry) == full(entry)


def test_the_first_reading_skips_what_the_full_parse_skips() -> None:
    skipped = [e.source for e in entries() if read_name(e) is None]
    assert {"too long.md", "too long with yaml.md", "nul.md", "latin1.md"} <= set(skipped)
    assert skipped == [e.source for e in entries() if full(e) is None]


PIECES = [
    "---\n",
    "...\n",
    "\n",
    "\r\n",
    "aliases: ",
    "Alias:: ",
    "title:: ",
    "title: ",
    "tags: ",
    "[a, b]",
    "x, y",
    "'q'",
    "\\x61",
    "{",
    "&r ",
    "*r",
    "#t ",
    "- z",
    "  ",
    "[[L]]",
]
PATHS = ["n.md", "pages/p___q.md", "journals/j.md", "d/e.markdown"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=14), st.sampled_from(PATHS))
def test_any_text_gets_the_same_name_title_and_aliases_from_both_readings(
    pieces: list[str], path: str
) -> None:
    entry = RawEntry("markdown", path, path, data="".join(pieces).encode())
    assert read_name(entry) == full(entry)
