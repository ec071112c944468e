"""Languages the keyword side knows: a note's language picks PostgreSQL's text search
configuration (stemming, stop words) and the Snowball stemmer the snippets use.

A language PostgreSQL ships no stemmer for, or a note too short to tell, gets `simple`
(lower-cased words, no stemming). Detection itself is infrastructure (`language_detector`).
"""

from __future__ import annotations

from typing import Final

SIMPLE: Final = "simple"
ENGLISH: Final = "english"

# ISO 639-1 code -> PostgreSQL's built-in text search configuration (also the name of
# the Snowball stemmer for that language).
CONFIG_BY_CODE: Final[dict[str, str]] = {
    "ar": "arabic",
    "ca": "catalan",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "eu": "basque",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "ne": "nepali",
    "nl": "dutch",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}
CODE_BY_CONFIG: Final[dict[str, str]] = {v: k for k, v in CONFIG_BY_CODE.items()}
CONFIGS: Final[frozenset[str]] = frozenset(CONFIG_BY_CODE.values()) | {SIMPLE}


def config_for(code: str | None) -> str:
    """The text search configuration for an ISO 639-1 code; `simple` when unknown."""
    return CONFIG_BY_CODE.get((code or "").lower(), SIMPLE)


def valid_config(config: str | None) -> str:
    """`config` when it is one of ours (it is inlined into SQL), else `simple`."""
    return config if config in CONFIGS else SIMPLE
