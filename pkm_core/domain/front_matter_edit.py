"""Change one key of a YAML front matter in its text, leaving every other line as it was.

Re-dumping the whole mapping would reorder quoting, reflow lists, drop comments and
rewrite dates; a person's front matter must come back with only the keys that changed
touched. No well-kept library edits YAML text in place for PyYAML's types (ruamel.yaml's
round trip still reformats flow lists and comments around edited keys), so the few forms
the managed keys take are handled here: a top-level `key: scalar`, `key: [a, b]` and a
block list `key:` followed by `- item` lines, each written back in the form it had.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import yaml

_CONTINUATION = re.compile(r"^(?:[ \t]+\S|-(?:[ \t]|$))")


def _key_line(key: str) -> re.Pattern[str]:
    quoted = re.escape(key)
    return re.compile(rf"^(?P<key>{quoted}|\"{quoted}\"|'{quoted}')[ \t]*:(?P<gap>[ \t]*)")


def _span(lines: list[str], key: str) -> tuple[int, int, re.Match[str]] | None:
    pattern = _key_line(key)
    for i, line in enumerate(lines):
        match = pattern.match(line)
        if match is None:
            continue
        end = i + 1
        while end < len(lines) and _CONTINUATION.match(lines[end]):
            end += 1
        return i, end, match
    return None


def _plain(value: Any) -> str:
    """One scalar as YAML flow text (quoted only when it must be)."""
    text = yaml.safe_dump([value], default_flow_style=True, allow_unicode=True, width=10**6)
    return text.strip()[1:-1]


def _scalar(value: Any, original: str) -> str:
    """`value` written the way the original scalar text was (quotes, `T` or space)."""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" " if " " in original.strip() else "T")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        if original.startswith('"'):
            return json.dumps(value, ensure_ascii=False)
        if original.startswith("'"):
            return "'" + value.replace("'", "''") + "'"
    return _plain(value)


def _block_indent(lines: list[str]) -> str:
    for line in lines:
        stripped = line.lstrip(" \t")
        if stripped.startswith("-"):
            return line[: len(line) - len(stripped)]
    return ""


def set_key(yaml_text: str, key: str, value: Any) -> str:
    """`yaml_text` with top-level `key` set to `value` (a scalar or a list of scalars),
    in the form the key had; appended at the end as `key: value` (lists as a block list)
    when it was not there. Every other line is kept byte for byte."""
    lines = yaml_text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    found = _span(lines, key)
    if found is None:
        start = end = len(lines)
        name, gap, rest, indent = key, " ", "", ""
    else:
        start, end, match = found
        name, gap = match.group("key"), match.group("gap") or " "
        rest = lines[start][match.end() :].rstrip("\n")
        indent = _block_indent(lines[start + 1 : end])
    if isinstance(value, list | tuple):
        if rest.strip().startswith("[") or (not value and found is not None):
            new = [f"{name}:{gap}[{', '.join(_plain(v) for v in value)}]\n"]
        elif value:
            new = [f"{name}:\n"] + [f"{indent}- {_plain(v)}\n" for v in value]
        else:
            new = []
    else:
        new = [f"{name}:{gap}{_scalar(value, rest.strip())}\n"]
    return "".join(lines[:start] + new + lines[end:])
