"""Snippets as data: a short plain passage around the query words, with match spans."""

from __future__ import annotations

import random
import re

import pytest

from pkm_core.domain import markdown_text as md
from pkm_core.domain.markdown_text import plain_text
from pkm_core.domain.snippet import QuerySnippets, QueryTerms, Snippet, make_snippet


def marked(passage: str, query: str, **kwargs: object) -> str:
    return make_snippet(passage, query, **kwargs).marked("«", "»")  # type: ignore[arg-type]


def test_query_words_are_matched_whatever_their_inflection() -> None:
    snippet = marked("Studies show that tomatoes need sun.", "tomato study")
    assert snippet == "«Studies» show that «tomatoes» need sun."


def test_the_spans_point_at_the_matches_in_the_plain_text() -> None:
    snippet = make_snippet("Studies show that tomatoes need sun.", "tomato")
    assert snippet.text == "Studies show that tomatoes need sun."
    assert [snippet.text[s:e] for s, e in snippet.spans] == ["tomatoes"]


def test_an_unaccented_query_matches_the_accented_word() -> None:
    assert marked("Una canción de cuna", "cancion", language="spanish") == "Una «canción» de cuna"


def test_stop_words_of_the_query_are_not_matched() -> None:
    assert marked("the role of vitamin d", "the vitamin") == "the role of «vitamin» d"


def test_the_last_query_word_matches_as_a_prefix_while_typing() -> None:
    assert marked("carcinoma and cancer", "canc") == "carcinoma and «cancer»"
    assert QueryTerms.parse("canc ").prefix == ""  # a finished word is not a prefix


def test_words_are_stemmed_in_the_notes_language() -> None:
    assert marked("Ich lese viele Bücher", "buch ", language="german") == (
        "Ich lese viele «Bücher»"
    )
    assert marked("Новая книга о налогах", "книги ", language="russian") == (
        "Новая «книга» о налогах"
    )
    assert marked("Las declaraciones de impuestos", "declaración ", language="spanish") == (
        "Las «declaraciones» de impuestos"
    )


def test_the_snippet_is_a_short_window_around_the_densest_matches() -> None:
    passage = " ".join(["filler"] * 100 + ["sourdough", "bread", "starter"] + ["tail"] * 100)
    snippet = make_snippet(passage, "sourdough starter", words=35)
    assert snippet.text.startswith("… ") and snippet.text.endswith(" …")
    assert "«sourdough» bread «starter»" in snippet.marked("«", "»")
    assert len(snippet.text.split()) == 35 + 2  # the window and the two ellipses


def test_without_any_match_the_snippet_is_the_start_of_the_passage() -> None:
    snippet = make_snippet(" ".join(f"w{i}" for i in range(50)), "absent", words=5)
    assert snippet == Snippet("w0 w1 w2 w3 w4 …")


def test_markdown_is_reduced_to_words_and_no_marker_is_added() -> None:
    snippet = make_snippet("## Bread\n**flour** and [[Water|water]] «quoted»", "water")
    assert snippet.text == "Bread flour and water «quoted»"
    assert [snippet.text[s:e] for s, e in snippet.spans] == ["water"]


def test_an_obsidian_callouts_marker_is_not_part_of_the_plain_text() -> None:
    text = "> [!warning] Mind the gap\n> far from the train\n\n> [!tip]-\n> folded"
    assert plain_text(text) == "Mind the gap\nfar from the train\n\nfolded"
    assert plain_text("> > [!quote]+ Nested") == "Nested"


PASSAGES = [
    ("Studies show that tomatoes need sun; a study of tomato STUDIES.", "english"),
    ("Una canción de cuna y otras canciones", "spanish"),
    ("Ich lese viele Bücher über Buchdruck", "german"),
    ("Новая книга о налогах, книги и книжки", "russian"),
    ("## Cancer\n**cancer** cells and [[Canceled|cancelled]] trials, café crème", "english"),
    ("", "english"),
]


def _every_word_spans(snippet: Snippet, query: str, language: str) -> list[tuple[int, int]]:
    """What the spans were before candidate words: every word of the text tested."""
    hit = QueryTerms.parse(query).matcher(language)
    return [(m.start(), m.end()) for m in re.finditer(r"\w+", snippet.text) if hit(m.group())]


@pytest.mark.parametrize("query", ["tomato study", "cancion", "buch ", "книги ", "canc", "zzz"])
def test_the_spans_of_a_page_of_passages_are_every_matching_word_ascii_or_not(query: str) -> None:
    snippets = QuerySnippets(query)  # one per search: its matchers serve every passage
    for passage, language in PASSAGES * 2:  # the second round meets the memo of the first
        snippet = snippets(passage, language=language)
        assert snippet == make_snippet(passage, query, language=language)
        assert list(snippet.spans) == _every_word_spans(snippet, query, language)


def _plain_text_running_every_pattern(markdown: str) -> str:
    text = md._MD_IMAGE.sub(r"\1", markdown)
    text = md._WIKILINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = md._MD_LINK.sub(r"\1", text)
    text = md._MD_HEADING.sub("", text)
    text = md._CALLOUT_MARK.sub("", md._MD_QUOTE_OR_BULLET.sub("", text))
    return md._MD_UNDERSCORE.sub(r"\2", md._MD_EMPHASIS.sub(r"\2", text))


def test_plain_text_skipping_patterns_that_cannot_match_changes_nothing() -> None:
    pieces = ["word", " ", "\n", "![", "[[", "]]", "](", "[", "]", "(", ")", "|", "#", "> ",
              "- ", "1. ", "[!tip]", "*", "**", "~~", "`", "_", "__", "x_y", "é"]  # fmt: skip
    rng = random.Random(12)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 24)))
        assert plain_text(text) == _plain_text_running_every_pattern(text), text
