"""Text rules shared by every entity: one normaliser, bounded lengths, no NUL bytes."""

from __future__ import annotations

import hashlib
import unicodedata
from typing import Literal

from pkm_core.domain.errors import InvalidNote

MAX_TITLE_CHARS = 300
MAX_BODY_CHARS = 200_000


# Bidirectional embeddings, overrides and isolates: they make a title display in another
# order than it is stored (“invoice‮fdp.exe” shows as “invoiceexe.pdf”).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_BIDI_TABLE = dict.fromkeys(map(ord, BIDI_CONTROLS))
_NUL_TABLE = {0: None}
NulPolicy = Literal["refuse", "remove"]


def normalise_text(
    value: str, field: str = "text", *, nul: NulPolicy = "remove", title: bool = False
) -> str:
    """The one normaliser of every text entering the core (titles, bodies, queries,
    keywords, imported fields and front matter).

    - lone surrogates (from a JSON "\\ud800" or a file decoded with surrogateescape)
      become U+FFFD; a surrogate pair becomes the character it encodes;
    - NUL bytes are removed (nul="remove", the default: queries, imported text), or
      refused with one sentence naming `field` (nul="refuse": what a person types);
    - bidi embedding/override/isolate controls are removed when `title` (titles,
      keywords: names shown in lists must read as they are stored).
    """
    if not value.isascii():
        # utf-16 with surrogatepass joins valid pairs; "replace" marks the lone ones.
        value = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
        if title:
            value = value.translate(_BIDI_TABLE)
    if "\x00" in value:
        if nul == "remove":
            return value.translate(_NUL_TABLE)
        raise InvalidNote(
            f"The {field} contains a NUL byte (\\x00), which cannot be stored; remove it."
        )
    return value


def reject_nul(value: str, field: str) -> str:
    """`normalise_text` for a name a person typed: NUL refused, bidi controls removed."""
    return normalise_text(value, field, nul="refuse", title=True)


def bounded(value: str, field: str, limit: int) -> str:
    if len(value) > limit:
        raise InvalidNote(f"The {field} is {len(value):,} characters long; the limit is {limit:,}.")
    return value


def fold_accents(text: str) -> str:
    """'canción' -> 'cancion': keyword search matches with or without accents."""
    if text.isascii():  # nothing to fold (ASCII is the same in every normal form)
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def content_hash(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\x1f")
    return digest.hexdigest()
