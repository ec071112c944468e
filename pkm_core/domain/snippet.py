"""Search snippets as data: a short plain-text passage around the query words and the
character spans of every match in it. The one query matcher of the project.

Matching follows what PostgreSQL's text search does for the note's language: words are
accent-folded, lower-cased and Snowball-stemmed in that language (English stop words left
out), so "cancion" matches "canción", "studies" matches "study" and "книги" matches
"книга". The last query word also matches as a prefix (typing). The UI escapes the text
and wraps the spans in highlights; nothing in the text itself is markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer

from pkm_core.domain.language import ENGLISH, SIMPLE
from pkm_core.domain.markdown_text import plain_text
from pkm_core.domain.text import fold_accents

SNIPPET_WORDS = 35
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
_TOKEN = re.compile(r"\S+")


def fold(word: str) -> str:
    return word.lower() if word.isascii() else fold_accents(word).lower()


@lru_cache(maxsize=64)
def _stemmer(language: str) -> snowballstemmer.stemmer | None:
    if language == SIMPLE:
        return None
    try:
        return snowballstemmer.stemmer(language)
    except KeyError:  # a configuration without a Snowball stemmer of that name
        return None


@lru_cache(maxsize=50_000)
def stem(word: str, language: str = ENGLISH) -> str:
    """The lexeme PostgreSQL's config for `language` would index `word` under."""
    stemmer = _stemmer(language)
    folded = fold(word)
    return folded if stemmer is None else str(stemmer.stemWord(folded))


@dataclass(frozen=True, slots=True)
class Snippet:
    """Plain text and the (start, end) character spans of the matches in it."""

    text: str
    spans: tuple[tuple[int, int], ...] = field(default=())

    def marked(self, open_: str = "[", close: str = "]") -> str:
        """The text with each match between `open_` and `close` (for logs and tests)."""
        out, last = [], 0
        for start, end in self.spans:
            out += [self.text[last:start], open_, self.text[start:end], close]
            last = end
        return "".join([*out, self.text[last:]])


@dataclass(frozen=True, slots=True)
class QueryTerms:
    words: tuple[str, ...]  # folded query words, stop words left out
    prefix: str  # the last word, folded, when it may be unfinished; '' otherwise

    @classmethod
    def parse(cls, query: str) -> QueryTerms:
        words = _WORD.findall(query)
        prefix = fold(words[-1]) if words else ""
        # A query ending in a space or punctuation has a finished last word.
        if len(prefix) < MIN_PREFIX_CHARS or not query[-1:].isalnum():
            prefix = ""
        kept = tuple(dict.fromkeys(fold(w) for w in words if fold(w) not in STOP_WORDS))
        return cls(kept, prefix)

    def matcher(self, language: str = ENGLISH) -> _Matcher:
        return _Matcher(self, language)


class _Matcher:
    """Whether a word of a passage in `language` matches the query (memoised)."""

    def __init__(self, terms: QueryTerms, language: str) -> None:
        self.terms = terms
        self.language = language
        self.stems = frozenset(stem(w, language) for w in terms.words)
        # A Snowball stem is the word's beginning but for a letter or two (study -> studi):
        # words that do not start so cannot match, and are not stemmed (it is slow).
        self.heads = tuple(s[:-1] if len(s) > 3 else s for s in self.stems)
        self.seen: dict[str, bool] = {}

    def __call__(self, word: str) -> bool:
        found = self.seen.get(word)
        if found is None:
            found = self.seen[word] = self._matches(word)
        return found

    def _matches(self, word: str) -> bool:
        folded = fold(word)
        if folded in STOP_WORDS:
            return False
        if self.terms.prefix and folded.startswith(self.terms.prefix):
            return True
        if not self.heads or not folded.startswith(self.heads):
            return False
        return stem(folded, self.language) in self.stems


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


def make_snippet(
    passage: str, query: str, words: int = SNIPPET_WORDS, language: str = ENGLISH
) -> Snippet:
    """About `words` words of `passage` (markdown reduced to plain text) around the
    densest run of query words, with the spans of the matches; the start of the passage
    when nothing matches. `…` marks where text was cut."""
    text = " ".join(_TOKEN.findall(plain_text(passage)))
    tokens = list(_TOKEN.finditer(text))
    if not tokens:
        return Snippet("")
    hit = QueryTerms.parse(query).matcher(language)
    flags = [any(hit(w) for w in _WORD.findall(t.group())) for t in tokens]
    start = _window(flags, words)
    shown = tokens[start : start + words]
    begin, end = shown[0].start(), shown[-1].end()
    lead = "… " if start > 0 else ""
    spans = tuple(
        (len(lead) + m.start() - begin, len(lead) + m.end() - begin)
        for t, flag in zip(shown, flags[start : start + words], strict=True)
        if flag
        for m in _WORD.finditer(text, t.start(), t.end())
        if hit(m.group())
    )
    tail = " …" if start + words < len(tokens) else ""
    return Snippet(lead + text[begin:end] + tail, spans)
