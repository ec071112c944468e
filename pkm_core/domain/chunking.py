"""Split a note into chunks that fit the embedding model's window.

Heading-aware: a chunk never spans two sections, and carries the note title and the
section heading so that each chunk is understandable on its own when embedded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pkm_core.domain.text import content_hash

# all-MiniLM-L6-v2 reads 256 word pieces; ~1.4 pieces per English word leaves room for the title.
DEFAULT_MAX_WORDS = 160

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


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


def _split_long(paragraph: str, max_words: int) -> list[str]:
    """A paragraph over budget is cut at sentence ends, and a sentence over budget by words."""
    pieces: list[str] = []
    current: list[str] = []
    for sentence in _SENTENCE_END.split(paragraph):
        words = sentence.split()
        while len(words) > max_words:
            if current:
                pieces.append(" ".join(current))
                current = []
            pieces.append(" ".join(words[:max_words]))
            words = words[max_words:]
        if current and len(current) + len(words) > max_words:
            pieces.append(" ".join(current))
            current = []
        current.extend(words)
    if current:
        pieces.append(" ".join(current))
    return pieces


def _pack(text: str, max_words: int) -> list[str]:
    passages: list[str] = []
    current: list[str] = []
    size = 0
    for paragraph in (p.strip() for p in re.split(r"\n\s*\n", text)):
        if not paragraph:
            continue
        words = len(paragraph.split())
        if words > max_words:
            if current:
                passages.append("\n\n".join(current))
                current, size = [], 0
            passages.extend(_split_long(paragraph, max_words))
            continue
        if current and size + words > max_words:
            passages.append("\n\n".join(current))
            current, size = [], 0
        current.append(paragraph)
        size += words
    if current:
        passages.append("\n\n".join(current))
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
