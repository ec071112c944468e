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
from bisect import bisect_left
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


@dataclass(frozen=True, slots=True)
class _Candidates:
    """The words of a passage that may match (a superset, the matcher decides): ASCII
    words starting, in any case, with a stem's head or the prefix, and every word holding
    a non-ASCII letter (its folded form is not its lower case). Both patterns find the
    same words as `\\w+` does, only fewer of them; `ascii` leaves out the non-ASCII
    alternative, which cannot match in an ASCII text (scanning one then takes half as long)."""

    any: re.Pattern[str]
    ascii: re.Pattern[str]

    def pattern(self, text: str) -> re.Pattern[str]:
        return self.ascii if text.isascii() else self.any


def _candidates(terms: QueryTerms, matcher: _Matcher) -> _Candidates | None:
    """The candidate patterns of the query; None: nothing can match."""
    starts = sorted({*matcher.heads, *([terms.prefix] if terms.prefix else [])}, key=len)
    if not starts:
        return None
    heads = "|".join(re.escape(h) for h in reversed(starts))
    return _candidate_patterns(heads)


@lru_cache(maxsize=256)
def _candidate_patterns(heads: str) -> _Candidates:
    return _Candidates(
        re.compile(rf"(?<!\w)(?=(?i:{heads})|\w*?[^\W\x00-\x7f])\w+", re.UNICODE),
        re.compile(rf"(?<!\w)(?=(?i:{heads}))\w+", re.UNICODE),
    )


def _matched_tokens(text: str, candidates: _Candidates | None, hit: _Matcher) -> list[int]:
    """The indexes of the space-separated tokens of `text` holding a matching word, in order.
    Only candidate words are looked at: a long passage costs one regex scan, not a Python
    step per word (the snippet of a 20,000-character keyword passage, docs/PERFORMANCE.md)."""
    if candidates is None:
        return []
    found: list[int] = []
    token, position = 0, 0
    for m in candidates.pattern(text).finditer(text):
        if not hit(m.group()):
            continue
        token += text.count(" ", position, m.start())
        position = m.start()
        if not found or found[-1] != token:
            found.append(token)
    return found


def _window(matched: list[int], count: int, size: int) -> int:
    """Start of a `size`-word window (of `count` tokens) holding the most matched tokens,
    centred on them: the earliest best window, whose start is 0 or where a match enters."""
    if count <= size or not matched:
        return 0
    last = count - size
    starts = [0, *(i - size + 1 for i in matched if 0 < i - size + 1 <= last)]
    best_start, best = 0, -1
    for start in starts:  # in increasing order: the first best one is kept
        inside = bisect_left(matched, start + size) - bisect_left(matched, start)
        if inside > best:
            best_start, best = start, inside
    hits = matched[bisect_left(matched, best_start) : bisect_left(matched, best_start + size)]
    centred = (hits[0] + hits[-1]) // 2 - size // 2
    return max(0, min(centred, hits[0], last))


class QuerySnippets:
    """The snippets of one query in many passages (a page of hits): the query is parsed,
    and each language's matcher (with its memo of the words seen) and candidate pattern
    built, once per search instead of once per hit (docs/PERFORMANCE.md, issue 12)."""

    def __init__(self, query: str) -> None:
        self.terms = QueryTerms.parse(query)
        self._matchers: dict[str, tuple[_Matcher, _Candidates | None]] = {}

    def _matcher(self, language: str) -> tuple[_Matcher, _Candidates | None]:
        found = self._matchers.get(language)
        if found is None:
            hit = self.terms.matcher(language)
            found = self._matchers[language] = (hit, _candidates(self.terms, hit))
        return found

    def __call__(
        self, passage: str, words: int = SNIPPET_WORDS, language: str = ENGLISH
    ) -> Snippet:
        """About `words` words of `passage` (markdown reduced to plain text) around the
        densest run of query words, with the spans of the matches; the start of the
        passage when nothing matches. `…` marks where text was cut."""
        tokens = plain_text(passage).split()  # the same tokens as `\S+` finds
        if not tokens:
            return Snippet("")
        text = " ".join(tokens)
        hit, candidates = self._matcher(language)
        start = _window(_matched_tokens(text, candidates, hit), len(tokens), words)
        shown = " ".join(tokens[start : start + words])
        lead = "… " if start > 0 else ""
        # Only candidate words can match (`_candidates`): the others are not tested.
        spans = (
            ()
            if candidates is None
            else tuple(
                (len(lead) + m.start(), len(lead) + m.end())
                for m in candidates.pattern(shown).finditer(shown)
                if hit(m.group())
            )
        )
        tail = " …" if start + words < len(tokens) else ""
        return Snippet(lead + shown + tail, spans)


def make_snippet(
    passage: str, query: str, words: int = SNIPPET_WORDS, language: str = ENGLISH
) -> Snippet:
    """About `words` words of `passage` (markdown reduced to plain text) around the
    densest run of query words, with the spans of the matches; the start of the passage
    when nothing matches. `…` marks where text was cut. (Many passages of one query:
    `QuerySnippets`.)"""
    return QuerySnippets(query)(passage, words, language)
