"""Split a note into chunks that fit the embedding model's window.

Heading-aware: a chunk never spans two sections, and carries the note title and the
section heading so that each chunk is understandable on its own when embedded. A short
note is one chunk. A long section is cut into pieces of about equal size at sentence
ends (never a 150-word piece followed by a 10-word crumb), so every piece gets a fair
share of the model's attention.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from pkm_core.domain.text import content_hash

# all-MiniLM-L6-v2 reads 256 word pieces; English prose runs ~1.3 pieces per word,
# scientific prose ~1.5, and the title rides along, so 128 words always fit. It was also
# the best of 96/128/180/256 on SciFact (docs/SEARCH.md): a passage-sized chunk matches a
# specific question better than a whole page does.
DEFAULT_MAX_WORDS = 128

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_PARAGRAPH = re.compile(r"\n\s*\n")


@dataclass(frozen=True, slots=True)
class Chunk:
    ordinal: int
    text: str  # the passage itself, shown as a snippet
    embed_text: str  # what the model reads: title + heading + passage

    @property
    def content_hash(self) -> str:
        return content_hash(self.embed_text)


def _sections(body: str) -> list[tuple[str, str]]:
    """[(heading, text)] in order; text before the first heading has heading ''."""
    sections: list[tuple[str, list[str]]] = [("", [])]
    in_fence = False
    for line in body.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(line)
        if match:
            sections.append((match.group(2), []))
        else:
            sections[-1][1].append(line)
    return [(heading, "\n".join(lines).strip()) for heading, lines in sections]


def _units(text: str, max_words: int) -> list[tuple[str, int, bool]]:
    """(text, words, starts_paragraph) units no longer than `max_words`: whole sentences,
    or word runs for a sentence that is itself too long."""
    units: list[tuple[str, int, bool]] = []
    for paragraph in (p.strip() for p in _PARAGRAPH.split(text)):
        if not paragraph:
            continue
        first = True
        for sentence in _SENTENCE_END.split(paragraph):
            words = sentence.split()
            for start in range(0, len(words), max_words):
                piece = words[start : start + max_words]
                # Keep the sentence's own line breaks when it fits whole (lists, code).
                shown = sentence.strip() if len(words) <= max_words else " ".join(piece)
                units.append((shown, len(piece), first))
                first = False
    return units


def _join(units: list[tuple[str, int, bool]]) -> str:
    out = ""
    for i, (text, _, new_paragraph) in enumerate(units):
        out += ("\n\n" if new_paragraph else " ") + text if i else text
    return out


def _pack(text: str, max_words: int) -> list[str]:
    """Pieces of at most `max_words` words (a unit over that is cut), of about equal size."""
    units = _units(text, max_words)
    remaining = sum(words for _, words, _ in units)
    if not units:
        return []
    pieces_left = math.ceil(remaining / max_words)
    passages: list[str] = []
    current: list[tuple[str, int, bool]] = []
    size = 0
    for unit in units:
        words = unit[1]
        # The target follows what is left, so the last piece is no crumb.
        target = remaining / pieces_left
        if current and (
            size + words > max_words or abs(size - target) < abs(size + words - target)
        ):
            passages.append(_join(current))
            remaining -= size
            pieces_left = max(pieces_left - 1, math.ceil(remaining / max_words), 1)
            current, size = [], 0
        current.append(unit)
        size += words
    if current:
        passages.append(_join(current))
    return passages


def chunk_note(title: str, body: str, max_words: int = DEFAULT_MAX_WORDS) -> list[Chunk]:
    """Chunks of a note; a note with no body is one chunk holding its title."""
    chunks: list[Chunk] = []
    for heading, text in _sections(body):
        for passage in _pack(text, max_words):
            prefix = f"{title}\n{heading}" if heading else title
            chunks.append(Chunk(len(chunks), passage, f"{prefix}\n{passage}"))
    if not chunks:
        chunks.append(Chunk(0, title, title))
    return chunks
