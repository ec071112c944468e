"""Links between notes written as [[wikilinks]]; backlinks are the reverse direction."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

# [[Target]] or [[Target|shown text]] or [[Target#Heading]] (or both: [[Target#H|text]])
_WIKILINK = re.compile(r"\[\[([^\[\]|#\n]+)(#[^\[\]|\n]*)?(\|[^\[\]\n]*)?\]\]")


class NoteLink(BaseModel):
    model_config = ConfigDict(frozen=True)

    source_note_id: int
    target_title: str
    target_note_id: int | None = None


@dataclass(frozen=True, slots=True)
class WikiLink:
    """One [[link]] as written: where it stands in the text and what it points at."""

    start: int
    end: int
    target: str
    heading: str | None
    label: str | None

    @property
    def shown(self) -> str:
        """The text a reader sees: the label, else the target (with its heading)."""
        if self.label:
            return self.label
        return f"{self.target} › {self.heading}" if self.heading else self.target


def find_wikilinks(body: str) -> list[WikiLink]:
    links = []
    for match in _WIKILINK.finditer(body):
        target = match.group(1).strip()
        if not target:
            continue
        heading = (match.group(2) or "#")[1:].strip() or None
        label = (match.group(3) or "|")[1:].strip() or None
        links.append(WikiLink(match.start(), match.end(), target, heading, label))
    return links


def parse_wikilinks(body: str) -> tuple[str, ...]:
    """Distinct link targets in order of appearance (case-insensitive)."""
    seen: dict[str, str] = {}
    for link in find_wikilinks(body):
        seen.setdefault(link.target.lower(), link.target)
    return tuple(seen.values())


def rewrite_wikilinks(body: str, old_title: str, new_title: str) -> str:
    """`body` with every [[old_title…]] (any case, `#Heading` and `|label` kept) pointing
    at `new_title` instead: what a rename does to the notes linking to it."""
    old_key = " ".join(old_title.split()).lower()
    parts: list[str] = []
    last = 0
    for link in find_wikilinks(body):
        if " ".join(link.target.split()).lower() != old_key:
            continue
        tail = body[link.start : link.end][2:-2]
        cut = min((i for i in (tail.find("#"), tail.find("|")) if i >= 0), default=len(tail))
        parts.append(body[last : link.start])
        parts.append(f"[[{new_title}{tail[cut:]}]]")
        last = link.end
    parts.append(body[last:])
    return "".join(parts)
