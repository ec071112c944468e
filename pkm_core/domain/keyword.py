"""Keywords (tags): a normalised name, many per note."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, field_validator

from pkm_core.domain.errors import InvalidNote
from pkm_core.domain.text import reject_nul

MAX_KEYWORD_CHARS = 64
_SPACES = re.compile(r"\s+")


def normalize_keyword(raw: str) -> str:
    """'  Machine   Learning ' -> 'machine learning'; a leading '#' is dropped."""
    name = _SPACES.sub(" ", reject_nul(raw, "keyword").strip().lstrip("#").strip()).lower()
    if not name:
        raise InvalidNote("A keyword cannot be empty.")
    if len(name) > MAX_KEYWORD_CHARS:
        raise InvalidNote(
            f"The keyword “{name[:20]}…” is longer than {MAX_KEYWORD_CHARS} characters."
        )
    if "," in name:
        raise InvalidNote(
            f"The keyword “{name}” contains a comma; keywords are separated by commas."
        )
    return name


def normalize_keywords(raw: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Normalised, de-duplicated, first-seen order kept."""
    seen: dict[str, None] = {}
    for item in raw:
        seen.setdefault(normalize_keyword(item), None)
    return tuple(seen)


class Keyword(BaseModel):
    """A keyword (tag) as a value object: two keywords are equal when their names are."""

    model_config = ConfigDict(frozen=True)

    name: str

    @field_validator("name")
    @classmethod
    def _normalise(cls, value: str) -> str:
        return normalize_keyword(value)
