"""Background word frequencies for BM25's IDF in a small corpus: wordfreq (maintained
word lists of ~40 languages built from subtitles, Wikipedia, books, web text; no network).

In 26 notes, a word that happens to be in one of them ("every") looks as rare as a
decisive one; the background says how common it is in the language. What SQL receives is,
per query lexeme, the fraction of ordinary documents (of `TYPICAL_NOTE_WORDS` words)
expected to contain it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from functools import lru_cache

from pkm_core.domain.language import CODE_BY_CONFIG, SIMPLE
from pkm_core.domain.snippet import fold, stem

TYPICAL_NOTE_WORDS = 150
_WORD = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=1)
def _languages() -> frozenset[str]:
    from wordfreq import available_languages

    return frozenset(available_languages())


@lru_cache(maxsize=20_000)
def _frequency(word: str, code: str) -> float:
    from wordfreq import word_frequency

    return float(word_frequency(word, code))


def document_fraction(frequency: float, words: int = TYPICAL_NOTE_WORDS) -> float:
    """Share of `words`-word documents holding a word of that per-token frequency."""
    return 1.0 - math.exp(-frequency * words)


def background_fractions(query: str, configs: Iterable[str]) -> dict[str, float]:
    """{lexeme: document fraction} of the query's words in each configuration's language
    (the lexeme as that configuration stems it; the largest fraction when two meet)."""
    out: dict[str, float] = {}
    words = [w for w in _WORD.findall(query.lower()) if len(w) > 1]
    for config in configs:
        code = CODE_BY_CONFIG.get(config, "en" if config == SIMPLE else "")
        if code not in _languages():
            continue
        for word in words:
            fraction = document_fraction(_frequency(word, code))
            if fraction <= 0:
                continue
            lexeme = stem(word, config) if config != SIMPLE else fold(word)
            out[lexeme] = max(out.get(lexeme, 0.0), fraction)
    return out
