"""Search snippets: a short passage around the query words, with «» around each match.

The UI escapes the text and turns «…» into highlights, so every search mode returns the
same shape. Matching follows what PostgreSQL's `english` text search does: words are
accent-folded, lower-cased and Snowball-stemmed, so "cancion" highlights "canción" and
"studies" highlights "study". The last query word also matches as a prefix (typing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from pkm_core.domain.text import fold_accents

SNIPPET_WORDS = 35
OPEN, CLOSE = "«", "»"
MIN_PREFIX_CHARS = 3

# PostgreSQL's english.stop (the Snowball list): these never match in keyword search.
_STOP_WORDS_TEXT = """i me my myself we our ours ourselves you your yours yourself yourselves
    he him his
    himself she her hers herself it its itself they them their theirs themselves what which
    who whom this that these those am is are was were be been being have has had having do
    does did doing a an the and but if or because as until while of at by for with about
    against between into through during before after above below to from up down in out on
    off over under again further then once here there when where why how all any both each
    few more most other some such no nor not only own same so than too very s t can will
    just don should now"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

_WORD = re.compile(r"\w+", re.UNICODE)
_stemmer = snowballstemmer.stemmer("english")


def _fold(word: str) -> str:
    return word.lower() if word.isascii() else fold_accents(word).lower()


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The lexeme PostgreSQL's english config would index `word` under (folded, stemmed)."""
    return str(_stemmer.stemWord(_fold(word)))


@dataclass(frozen=True, slots=True)
class QueryTerms:
    stems: frozenset[str]
    prefix: str  # the last word, folded, when it may be unfinished; '' otherwise

    @classmethod
    def parse(cls, query: str) -> QueryTerms:
        words = _WORD.findall(query)
        prefix = _fold(words[-1]) if words else ""
        # A query ending in a space or punctuation has a finished last word.
        if len(prefix) < MIN_PREFIX_CHARS or not query[-1:].isalnum():
            prefix = ""
        stems = frozenset(stem(w) for w in words if _fold(w) not in STOP_WORDS)
        return cls(stems, prefix)

    @property
    def _heads(self) -> tuple[str, ...]:
        # A Snowball stem is the word's beginning but for its last letter (study -> studi):
        # words that do not start so cannot match, and are not stemmed (it is slow).
        return tuple(s[:-1] if len(s) > 3 else s for s in self.stems)

    def matches(self, word: str, heads: tuple[str, ...] | None = None) -> bool:
        folded = _fold(word)
        if folded in STOP_WORDS:
            return False
        if self.prefix and folded.startswith(self.prefix):
            return True
        if not folded.startswith(heads if heads is not None else self._heads):
            return False
        return stem(folded) in self.stems


def _window(flags: list[bool], size: int) -> int:
    """Start of a `size`-word window holding the most matches, centred on them."""
    if len(flags) <= size:
        return 0
    current = sum(flags[:size])
    best_start, best = 0, current
    for start in range(1, len(flags) - size + 1):
        current += flags[start + size - 1] - flags[start - 1]
        if current > best:
            best_start, best = start, current
    if best == 0:
        return 0
    hits = [i for i in range(best_start, best_start + size) if flags[i]]
    centred = (hits[0] + hits[-1]) // 2 - size // 2
    return max(0, min(centred, hits[0], len(flags) - size))


def make_snippet(passage: str, query: str, words: int = SNIPPET_WORDS) -> str:
    """About `words` words of `passage` around the densest run of query words, matches
    wrapped in «»; the start of the passage when nothing matches."""
    # «» in the note itself would be read as highlights by the UI: show them as ‹›.
    tokens = passage.replace(OPEN, "‹").replace(CLOSE, "›").split()
    if not tokens:
        return ""
    terms = QueryTerms.parse(query)
    heads = terms._heads
    seen: dict[str, bool] = {}

    def hit(word: str) -> bool:
        found = seen.get(word)
        if found is None:
            found = seen[word] = terms.matches(word, heads)
        return found

    flags = [any(hit(w) for w in _WORD.findall(token)) for token in tokens]
    start = _window(flags, words)
    marked = " ".join(
        _WORD.sub(lambda m: f"{OPEN}{m.group(0)}{CLOSE}" if hit(m.group(0)) else m.group(0), t)
        if flag
        else t
        for t, flag in zip(tokens[start : start + words], flags[start : start + words], strict=True)
    )
    if start > 0:
        marked = "… " + marked
    if start + words < len(tokens):
        marked += " …"
    return marked
