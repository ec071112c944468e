"""Differences between two texts: word-level for people, line-level deltas for storage.

Both are built on the standard library's `difflib.SequenceMatcher` (no extra dependency);
a delta is a list of pieces, each either `[start, end]` (copy those lines of the base
text) or a string (literal text), so applying one is exact and needs no fuzzy patching.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")

DeltaPiece = list[int] | str


@dataclass(frozen=True, slots=True)
class DiffPiece:
    """A run of text that both sides share ("same"), or that only one side has."""

    kind: Literal["same", "removed", "added"]
    text: str


def word_diff(old: str, new: str) -> list[DiffPiece]:
    """Word-level differences from `old` to `new` (whitespace kept, so both sides can be
    rebuilt: the "same" and "removed" pieces give `old`, "same" and "added" give `new`)."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    pieces: list[DiffPiece] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(DiffPiece("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(DiffPiece("removed", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(DiffPiece("added", "".join(b[j1:j2])))
    return pieces


def make_delta(base: str, target: str) -> list[DeltaPiece]:
    """The pieces that rebuild `target` from `base`, line by line."""
    a, b = base.splitlines(keepends=True), target.splitlines(keepends=True)
    delta: list[DeltaPiece] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            delta.append([i1, i2])
        elif j2 > j1:
            delta.append("".join(b[j1:j2]))
    return delta


def apply_delta(base: str, delta: list[DeltaPiece]) -> str:
    lines = base.splitlines(keepends=True)
    return "".join(
        piece if isinstance(piece, str) else "".join(lines[piece[0] : piece[1]]) for piece in delta
    )
