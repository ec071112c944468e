"""Front matter of a Markdown file: split off byte for byte, read as YAML within a budget.

The split is hand-written (python-frontmatter strips the body, and a lossless export needs
the exact text before and after the fences). YAML is read with PyYAML's safe loader after
a pass over the parse events that bounds how far aliases would expand ("billion laughs"),
so a hostile front matter costs time and memory proportional to its size.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import yaml

from pkm_core.domain.errors import InvalidNote

MAX_FRONT_MATTER_CHARS = 64_000
# Nodes the document may have once every alias is expanded; far above any real front matter.
MAX_EXPANDED_NODES = 10_000

_OPEN = re.compile(r"\A(\ufeff?)---[ \t]*(\r?\n)")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.MULTILINE)
_LOGSEQ_PROPERTY = re.compile(r"^([A-Za-z][\w-]*)::[ \t]*(.*?)[ \t]*$")

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class FrontMatterError(InvalidNote):
    """The front matter cannot be read; the sentence says why."""


@dataclass(frozen=True, slots=True)
class SplitFile:
    head: str  # everything before the body, exactly as in the file (BOM, fences included)
    yaml_text: str | None  # between the fences; None when the file has no front matter
    body: str


def split_front_matter(text: str) -> SplitFile:
    """`---` on the first line, YAML, then `---` (or `...`) on a line of its own."""
    opening = _OPEN.match(text)
    if opening is None:
        bom = "\ufeff" if text.startswith("\ufeff") else ""
        return SplitFile(bom, None, text[len(bom) :])
    closing = _CLOSE.search(text, opening.end())
    if closing is None:
        raise FrontMatterError("its front matter has no closing `---` line")
    return SplitFile(
        text[: closing.end()], text[opening.end() : closing.start()], text[closing.end() :]
    )


def _expanded_size(yaml_text: str) -> int:
    """How many nodes the document has with every alias expanded (events only: nothing
    is constructed, so this pass is linear in the text)."""
    sizes: dict[str, int] = {}
    stack: list[tuple[str | None, int]] = []  # (anchor, nodes so far) of open collections
    total = 0

    def add(count: int) -> None:
        nonlocal total
        if stack:
            anchor, nodes = stack[-1]
            stack[-1] = (anchor, nodes + count)
        else:
            total += count
        if total > MAX_EXPANDED_NODES or any(n > MAX_EXPANDED_NODES for _a, n in stack):
            raise FrontMatterError("its front matter uses YAML aliases that expand too far")

    for event in yaml.parse(yaml_text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            add(sizes.get(event.anchor or "", 1))
        elif isinstance(event, yaml.ScalarEvent):
            if event.anchor:
                sizes[event.anchor] = 1
            add(1)
        elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            stack.append((event.anchor, 1))
        elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            anchor, nodes = stack.pop()
            if anchor:
                sizes[anchor] = nodes
            add(nodes)
    return total


def load_yaml(yaml_text: str) -> dict[str, Any]:
    """The front matter as a mapping in key order; FrontMatterError with one sentence."""
    if len(yaml_text) > MAX_FRONT_MATTER_CHARS:
        raise FrontMatterError(
            f"its front matter is longer than {MAX_FRONT_MATTER_CHARS:,} characters"
        )
    try:
        _expanded_size(yaml_text)
        data = yaml.load(yaml_text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise FrontMatterError(f"its front matter is not valid YAML{where}") from None
    except RecursionError:
        raise FrontMatterError("its front matter is nested too deeply") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise FrontMatterError("its front matter is not a list of `key: value` properties")
    return {str(k): v for k, v in data.items()}


def dump_yaml(data: dict[str, Any]) -> str:
    """Properties written back as YAML, in their order."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)


def logseq_properties(body: str) -> dict[str, str]:
    """Logseq's page properties: the `key:: value` lines the page starts with."""
    found: dict[str, str] = {}
    for line in body.splitlines():
        match = _LOGSEQ_PROPERTY.match(line.strip().removeprefix("- ").strip())
        if match is None:
            break
        found.setdefault(match.group(1).lower(), match.group(2))
    return found


def typed(value: Any) -> Any:
    """A YAML value as JSON with its type kept: {"date": "2024-01-05"}, lists and maps
    element by element; what JSON has (str, int, float, bool, null) as it is."""
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, bytes):
        return {"$binary": len(value)}
    if isinstance(value, list | tuple | set):
        return [typed(v) for v in value]
    if isinstance(value, dict):
        return {str(k): typed(v) for k, v in value.items()}
    if isinstance(value, float) and value != value:  # NaN is not JSON
        return {"$float": "nan"}
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return {"$float": str(value)}
    return value


# Line endings as a compact map: one character per line break, in order.
_ENDING_CODES = {"\r\n": "r", "\n": "n", "\r": "c"}
_ENDING_TEXT = {code: ending for ending, code in _ENDING_CODES.items()}
_BREAK = re.compile(r"\r\n|\r|\n")


def line_endings(raw_text: str) -> tuple[str, str]:
    """(the most common line ending, the map of every break when they are mixed, else "").

    `\\r\\n`, `\\r` and `\\n` each become one `\\n` in a note; the map gives them back."""
    codes = "".join(_ENDING_CODES[m.group(0)] for m in _BREAK.finditer(raw_text))
    if not codes:
        return "\n", ""
    counts = {code: codes.count(code) for code in "nrc"}
    dominant = max("nrc", key=lambda code: counts[code])
    mixed = counts[dominant] != len(codes)
    return _ENDING_TEXT[dominant], codes if mixed else ""


def with_line_endings(text: str, newline: str, endings: str = "") -> str:
    """`\\n` text written with the file's endings: the map's, break by break, while it
    lasts (the text it was made from), then `newline`."""
    if not endings:
        return text if newline == "\n" else text.replace("\n", newline)
    parts = text.split("\n")
    out = [parts[0]]
    for i, part in enumerate(parts[1:]):
        out.append(_ENDING_TEXT[endings[i]] if i < len(endings) else newline)
        out.append(part)
    return "".join(out)


def front_matter_parts(head: str) -> tuple[str, str, str]:
    """(BOM and opening fence, YAML text, closing fence) of a head with front matter."""
    split = split_front_matter(head)
    yaml_text = split.yaml_text or ""
    opening = _OPEN.match(head)
    start = opening.end() if opening else 0
    return head[:start], yaml_text, head[start + len(yaml_text) :]
