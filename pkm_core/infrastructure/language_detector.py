"""A note's language, for its keyword index: py3langid (a maintained fork of langid.py,
its model inside the wheel, numpy only; no network, ~1 ms per note).

A language PostgreSQL cannot stem (Polish, Chinese…) or text without letters is
`simple` (lower-cased words, no stemming). Short or uncertain text ("apple pie apple
tart": English at 0.6 among 27 languages) keeps the default, `english`: a guess of another
language needs `MIN_PROBABILITY`. So notes written in English are indexed as before and a
note of a few words in another language may need a sentence more to be recognised.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pkm_core.domain.language import CONFIG_BY_CODE, ENGLISH, SIMPLE, config_for

SAMPLE_CHARS = 3_000  # the start of a note tells its language; reading more is slower only
MIN_LETTERS = 12  # fewer letters than this: not enough to tell
MIN_PROBABILITY = 0.80


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    # Only languages PostgreSQL can stem: a guess among 97 languages spreads a short
    # Spanish note over Galician and Portuguese (0.46 for the best).
    identifier.set_languages([c for c in CONFIG_BY_CODE if c in identifier.labels])
    return identifier


def detect_config(title: str, body: str) -> str:
    """PostgreSQL text search configuration for the note's language."""
    sample = f"{title}\n{body[:SAMPLE_CHARS]}"
    letters = [ch for ch in sample if ch.isalpha()]
    if not letters:
        return SIMPLE
    if len(letters) < MIN_LETTERS:
        return ENGLISH if all(ch.isascii() for ch in letters) else SIMPLE
    code, probability = _identifier().classify(sample)
    if code == "en" or probability < MIN_PROBABILITY:
        return ENGLISH
    return config_for(code)
