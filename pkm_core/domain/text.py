"""Text rules shared by every entity: clean, bounded, no NUL bytes."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from pkm_core.domain.errors import InvalidNote

MAX_TITLE_CHARS = 300
MAX_BODY_CHARS = 200_000


def reject_nul(value: str, field: str) -> str:
    if "\x00" in value:
        raise InvalidNote(
            f"The {field} contains a NUL byte (\\x00), which cannot be stored; remove it."
        )
    return value


def bounded(value: str, field: str, limit: int) -> str:
    if len(value) > limit:
        raise InvalidNote(f"The {field} is {len(value):,} characters long; the limit is {limit:,}.")
    return value


def fold_accents(text: str) -> str:
    """'canción' -> 'cancion': keyword search matches with or without accents."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def content_hash(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\x1f")
    return digest.hexdigest()


# Bidirectional embeddings and overrides (U+202A–U+202E) and isolates (U+2066–U+2069): they
# make a title display in another order than it is stored ("Trojan Source").
_SURROGATE = re.compile("[\ud800-\udfff]")
_BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def normalise_text(value: str, *, title: bool = False) -> str:
    """Text as it may enter the core: lone surrogates (which cannot be encoded) replaced by
    U+FFFD, NUL bytes removed, and in titles the bidi override characters removed."""
    value = _SURROGATE.sub("\ufffd", value)
    value = value.replace("\x00", "")
    if title:
        value = value.translate(_BIDI_CONTROLS)
    return value
