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


# "[[" not yet closed before the caret: what a person is typing as a link target
_OPEN_LINK = re.compile(r"\[\[([^\[\]|#\n]{0,120})$")


@dataclass(frozen=True, slots=True)
class OpenLink:
    """A `[[` being typed: where it starts, where the caret is, what follows it so far."""

    start: int
    end: int
    fragment: str


def open_wikilink(body: str, caret: int | None = None) -> OpenLink | None:
    """The unclosed `[[fragment` just before the caret (the end of the text when the caret
    is unknown), or None. A fragment with `|` or `#` already names its target."""
    end = len(body) if caret is None or not 0 <= caret <= len(body) else caret
    match = _OPEN_LINK.search(body, 0, end)
    if match is None:
        return None
    return OpenLink(match.start(), end, match.group(1))


def complete_wikilink(body: str, link: OpenLink, title: str, alias: str | None = None) -> str:
    """`body` with the `[[fragment` of `link` made a whole `[[title]]` (`[[title|alias]]`
    for a note found by an alias); a `]]` already after the caret is reused."""
    target = f"[[{title}|{alias}]]" if alias else f"[[{title}]]"
    rest = body[link.end :]
    return body[: link.start] + target + rest.removeprefix("]]")
