"""Links between notes written as [[wikilinks]]; backlinks are the reverse direction."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

# [[Target]] or [[Target|shown text]] or [[Target#Heading]]
_WIKILINK = re.compile(r"\[\[([^\[\]|#\n]+)(?:#[^\[\]|\n]*)?(?:\|[^\[\]\n]*)?\]\]")


class NoteLink(BaseModel):
    model_config = ConfigDict(frozen=True)

    source_note_id: int
    target_title: str
    target_note_id: int | None = None


def parse_wikilinks(body: str) -> tuple[str, ...]:
    """Distinct link targets in order of appearance (case-insensitive)."""
    seen: dict[str, str] = {}
    for match in _WIKILINK.finditer(body):
        target = match.group(1).strip()
        if target:
            seen.setdefault(target.lower(), target)
    return tuple(seen.values())
