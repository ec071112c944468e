"""What a note accepts and refuses, before anything reaches the database."""

from __future__ import annotations

import pytest

from pkm_core.domain.errors import InvalidNote
from pkm_core.domain.keyword import Keyword, normalize_keyword
from pkm_core.domain.link import parse_wikilinks
from pkm_core.domain.note import NoteDraft
from pkm_core.domain.source import Source
from pkm_core.domain.text import MAX_BODY_CHARS, fold_accents


def test_the_title_is_trimmed_and_inner_whitespace_collapsed() -> None:
    assert NoteDraft(title="  Weekly   review \n").title == "Weekly review"


@pytest.mark.parametrize("title", ["", "   ", "\n\t"])
def test_an_empty_title_is_refused_with_a_sentence(title: str) -> None:
    with pytest.raises(InvalidNote, match="needs a title"):
        NoteDraft(title=title)


def test_a_nul_byte_is_refused_and_named() -> None:
    with pytest.raises(InvalidNote, match="NUL byte"):
        NoteDraft(title="ok", body="a\x00b")


def test_a_body_over_the_limit_is_refused_with_both_sizes() -> None:
    with pytest.raises(InvalidNote, match=f"{MAX_BODY_CHARS:,}"):
        NoteDraft(title="huge", body="x" * (MAX_BODY_CHARS + 1))


def test_emoji_and_right_to_left_text_are_kept_as_written() -> None:
    draft = NoteDraft(title="שלום 👋", body="مرحبا بالعالم 🌍")
    assert (draft.title, draft.body) == ("שלום 👋", "مرحبا بالعالم 🌍")


def test_line_endings_are_normalised_so_the_hash_is_stable() -> None:
    assert (
        NoteDraft(title="t", body="a\r\nb").content_hash
        == NoteDraft(title="t", body="a\nb").content_hash
    )


def test_keywords_are_normalised_and_deduplicated_in_order() -> None:
    assert NoteDraft(title="t", keywords="Ideas, #ideas,  Deep  Work ").keywords == (
        "ideas",
        "deep work",
    )


def test_an_empty_keyword_is_refused() -> None:
    with pytest.raises(InvalidNote):
        normalize_keyword(" # ")


def test_a_source_url_must_be_a_web_link() -> None:
    with pytest.raises(InvalidNote, match="http"):
        Source(title="evil", url="javascript:alert(1)")
    assert Source(title="ok", url="https://example.org").url == "https://example.org"


def test_wikilinks_are_parsed_with_aliases_and_headings_and_deduplicated() -> None:
    body = "See [[Alpha]], [[beta|the B note]], [[Alpha#Part]] and [[ Gamma ]]; not [[]]."
    assert parse_wikilinks(body) == ("Alpha", "beta", "Gamma")


def test_accents_are_folded_for_keyword_search() -> None:
    assert fold_accents("Canción über café") == "Cancion uber cafe"


def test_keywords_are_value_objects_equal_by_normalised_name() -> None:
    assert Keyword(name="#Deep Work") == Keyword(name="deep   work")


def test_fold_accents_leaves_plain_ascii_text_as_it_is() -> None:
    assert fold_accents("Tides, moons & 3 stars") == "Tides, moons & 3 stars"
