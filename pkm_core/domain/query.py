"""The search box's syntax: `"a quoted phrase"` must occur, `-word` must not, the rest is
free text ranked by meaning and by keywords.

    tax "filing deadline" -draft   ->  text 'tax filing deadline', phrases ('filing
                                       deadline',), excluded ('draft',)

A lone `"` or `-` is plain text (a person typing, or a hyphen in "e-mail" or "x - y").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PHRASE = re.compile(r'"([^"]+)"')
_EXCLUDED = re.compile(r"(?:(?<=\s)|^)-(\w[\w'-]*)")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A parsed query. `text` is what is embedded and scored: the free words and the
    phrases' words (a phrase also ranks), without the excluded words."""

    raw: str
    text: str
    phrases: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()

    @property
    def restricts(self) -> bool:
        return bool(self.phrases or self.excluded)

    @classmethod
    def parse(cls, raw: str) -> SearchQuery:
        phrases = tuple(p.strip() for p in _PHRASE.findall(raw) if p.strip())
        rest = _PHRASE.sub(lambda m: f" {m.group(1)} ", raw)
        excluded = tuple(dict.fromkeys(w for w in _EXCLUDED.findall(rest)))
        rest = _EXCLUDED.sub(" ", rest)
        # A trailing space says the last word is finished (no prefix match): keep one.
        text = _SPACES.sub(" ", rest).lstrip()
        if raw.endswith('"') and phrases:
            text = text.rstrip() + " "
        return cls(raw=raw, text=text, phrases=phrases, excluded=excluded)
