"""Front matter keys changed in their text, every other line kept as it was."""

from __future__ import annotations

import datetime as dt

from pkm_core.domain.front_matter import line_endings, with_line_endings
from pkm_core.domain.front_matter_edit import set_key

YAML = (
    "# kept comment\n"
    "title:   Spaced   out\n"
    "tags:\n"
    "  - one\n"
    "  - two\n"
    'source: "https://a.example"\n'
    "updated: 2024-02-01 10:30:00\n"
    "aliases: [A, B]\n"
)


def test_a_block_list_is_rewritten_as_a_block_list_with_its_indentation() -> None:
    assert set_key(YAML, "tags", ["one", "a: b"]) == YAML.replace(
        "  - one\n  - two\n", "  - one\n  - 'a: b'\n"
    )


def test_a_flow_list_stays_a_flow_list_and_other_lines_are_untouched() -> None:
    assert set_key(YAML, "aliases", ["A"]) == YAML.replace("[A, B]", "[A]")


def test_a_quoted_scalar_keeps_its_quotes_and_a_datetime_its_space() -> None:
    changed = set_key(YAML, "source", "https://b.example")
    changed = set_key(changed, "updated", dt.datetime(2025, 1, 2, 3, 4, 5))
    assert changed == YAML.replace("a.example", "b.example").replace(
        "2024-02-01 10:30:00", "2025-01-02 03:04:05"
    )


def test_a_missing_key_is_appended_and_an_empty_list_is_not() -> None:
    assert set_key(YAML, "created", dt.date(2024, 1, 1)) == YAML + "created: 2024-01-01\n"
    assert set_key("a: 1\n", "tags", ["x"]) == "a: 1\ntags:\n- x\n"
    assert set_key("a: 1\n", "tags", []) == "a: 1\n"
    assert set_key(YAML, "tags", []) == YAML.replace("tags:\n  - one\n  - two\n", "tags: []\n")


def test_mixed_line_endings_are_mapped_break_by_break_and_given_back() -> None:
    raw = "\ufeffa\r\nb\nc\rd\r\n"
    newline, endings = line_endings(raw)
    assert (newline, endings) == ("\r\n", "rncr")
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    assert with_line_endings(text, newline, endings) == raw
    assert line_endings("a\rb\r") == ("\r", "")
    assert with_line_endings("a\nb\n", "\r") == "a\rb\r"
