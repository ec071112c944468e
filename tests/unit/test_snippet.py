"""Snippets: a short passage around the query words, matches marked with «»."""

from __future__ import annotations

from pkm_core.domain.snippet import QueryTerms, make_snippet


def test_query_words_are_marked_whatever_their_inflection() -> None:
    snippet = make_snippet("Studies show that tomatoes need sun.", "tomato study")
    assert snippet == "«Studies» show that «tomatoes» need sun."


def test_an_unaccented_query_marks_the_accented_word() -> None:
    assert make_snippet("Una canción de cuna", "cancion") == "Una «canción» de cuna"


def test_stop_words_of_the_query_are_not_marked() -> None:
    assert make_snippet("the role of vitamin d", "the vitamin") == "the role of «vitamin» d"


def test_the_last_query_word_matches_as_a_prefix_while_typing() -> None:
    assert make_snippet("carcinoma and cancer", "canc") == "carcinoma and «cancer»"
    assert QueryTerms.parse("canc ").prefix == ""  # a finished word is not a prefix


def test_the_snippet_is_a_short_window_around_the_densest_matches() -> None:
    passage = " ".join(["filler"] * 100 + ["sourdough", "bread", "starter"] + ["tail"] * 100)
    snippet = make_snippet(passage, "sourdough starter", words=35)
    assert snippet.startswith("… ") and snippet.endswith(" …")
    assert "«sourdough» bread «starter»" in snippet
    assert len(snippet.split()) == 35 + 2  # the window and the two ellipses


def test_without_any_match_the_snippet_is_the_start_of_the_passage() -> None:
    snippet = make_snippet(" ".join(f"w{i}" for i in range(50)), "absent", words=5)
    assert snippet == "w0 w1 w2 w3 w4 …"


def test_guillemets_in_the_note_cannot_fake_a_highlight() -> None:
    assert make_snippet("a «quoted» word", "word") == "a ‹quoted› «word»"
