"""Keyword search: BM25 in SQL over the trigger-kept inverted index."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import replace

import pytest

from pkm_core.application.dto import DEFAULT_TUNING, SearchMode
from pkm_core.application.use_cases.search import search_notes
from pkm_core.domain.note import Note
from pkm_core.domain.snippet import Snippet
from tests.integration.search.conftest import UowFactory

AddNote = Callable[..., Note]


def keyword(uow: UowFactory, query: str, **kwargs: object) -> list[str]:
    return [h.title for h in search_notes(uow(), None, query, SearchMode.KEYWORD, **kwargs)]


def test_bm25_scores_match_a_reference_computed_in_python(uow: UowFactory, add: AddNote) -> None:
    corpus = {
        "Apples": "apple pie apple tart",
        "Pears": "pear tart with a little apple",
        "Bread": "bread needs flour water salt and time, lots of time, more time",
        "Tarts": "tart tart tart",
    }
    for title, body in corpus.items():
        add(title, body)
    # The corpus formula: no background word frequencies (tested in test_search_trust.py).
    corpus_only = replace(DEFAULT_TUNING, background_docs=0)
    hits = search_notes(uow(), None, "apple tart", SearchMode.KEYWORD, tuning=corpus_only)

    # The reference: BM25 with k1, b and the title counted `title_weight` times.
    k1, b, w = DEFAULT_TUNING.bm25_k1, DEFAULT_TUNING.bm25_b, DEFAULT_TUNING.title_weight

    def terms(text: str) -> Counter[str]:
        stems = {"apples": "appl", "apple": "appl", "tarts": "tart", "pears": "pear"}
        words = re.findall(r"[a-z]+", text.lower())
        stop = {"with", "a", "and", "of", "more"}
        return Counter(stems.get(x, x) for x in words if x not in stop)

    docs = {
        t: terms(body) + Counter({k: w * v for k, v in terms(t).items()})
        for t, body in corpus.items()
    }
    avgdl = sum(sum(d.values()) for d in docs.values()) / len(docs)

    def bm25(doc: Counter[str]) -> float:
        score, dl = 0.0, sum(doc.values())
        for term in ("appl", "tart"):
            df = sum(1 for d in docs.values() if d[term])
            idf = math.log(1 + (len(docs) - df + 0.5) / (df + 0.5))
            tf = doc[term]
            score += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))
        return score

    expected = sorted(((bm25(d), t) for t, d in docs.items() if bm25(d) > 0), reverse=True)
    assert [h.title for h in hits] == [t for _, t in expected]
    assert [h.score for h in hits] == pytest.approx([s for s, _ in expected], rel=1e-5)


def test_a_rare_word_weighs_more_than_a_common_one(uow: UowFactory, add: AddNote) -> None:
    for i in range(6):
        add(f"Daily {i}", "coffee in the morning")
    add("Trip", "coffee in Oaxaca")
    add("Market", "mole from Oaxaca")
    assert keyword(uow, "coffee oaxaca")[0] == "Trip"


def test_a_title_word_weighs_more_than_the_same_word_in_the_body(
    uow: UowFactory, add: AddNote
) -> None:
    add("Fermentation basics", "notes about kimchi and yogurt")
    add("Kitchen log", "tried fermentation of kimchi today")
    assert keyword(uow, "fermentation") == ["Fermentation basics", "Kitchen log"]


def test_accents_do_not_matter_either_way(uow: UowFactory, add: AddNote) -> None:
    add("Canción de cuna", "una canción para dormir")
    add("Cafe notes", "el cafe de la mañana")
    assert keyword(uow, "cancion") == ["Canción de cuna"]
    assert keyword(uow, "café") == ["Cafe notes"]
    (hit,) = search_notes(uow(), None, "cancion", SearchMode.KEYWORD)
    assert "«canción»" in Snippet(hit.snippet, hit.highlights).marked("«", "»")


def test_the_last_word_matches_as_a_prefix_while_it_is_being_typed(
    uow: UowFactory, add: AddNote
) -> None:
    add("Sourdough", "a lively starter")
    add("Soup", "lentils and cumin")
    assert keyword(uow, "lively sourd") == ["Sourdough"]
    assert keyword(uow, "sourd ") == []  # a finished word is taken as it is


def test_only_the_best_postings_of_a_common_word_are_read(uow: UowFactory, add: AddNote) -> None:
    for i in range(6):
        add(f"Note {i}", " ".join(["tea"] * (i + 1) + ["filler"] * 10))
    few = replace(DEFAULT_TUNING, postings_per_term=2)
    assert keyword(uow, "tea", tuning=few) == ["Note 5", "Note 4"]
    assert len(keyword(uow, "tea")) == 6


def test_a_candidate_is_scored_on_the_postings_the_walk_did_not_read(
    uow: UowFactory, add: AddNote
) -> None:
    for i in range(5):
        add(f"Note {i}", " ".join(["tea"] * (i + 1) + ["cake"] * (5 - i) + ["filler"] * 3))
    everything = search_notes(uow(), None, "tea cake", SearchMode.KEYWORD)
    # One posting of each word is read: two candidates, each missing the other word's
    # posting from the walk; their scores must still be the whole BM25.
    few = replace(DEFAULT_TUNING, postings_per_term=1)
    cut = search_notes(uow(), None, "tea cake", SearchMode.KEYWORD, tuning=few)
    full = {h.title: h.score for h in everything}
    assert len(cut) == 2
    assert [h.score for h in cut] == pytest.approx([full[h.title] for h in cut], rel=1e-9)


def test_words_nobody_wrote_find_nothing(uow: UowFactory, add: AddNote) -> None:
    add("Anything", "some text")
    assert keyword(uow, "zzyzx") == []
    assert keyword(uow, "the of and") == []  # stop words only
