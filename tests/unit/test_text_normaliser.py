"""One normaliser for every text entering the core: surrogates, NUL bytes, bidi controls."""

from __future__ import annotations

import pytest

from pkm_core.domain.errors import InvalidNote
from pkm_core.domain.keyword import normalize_keyword
from pkm_core.domain.note import NoteDraft
from pkm_core.domain.text import normalise_text


def test_a_lone_surrogate_becomes_the_replacement_character() -> None:
    assert normalise_text("lone \ud800 surrogate", "title") == "lone \ufffd surrogate"


def test_a_surrogate_pair_becomes_the_character_it_encodes() -> None:
    assert normalise_text("smile \ud83d\ude00", "note body") == "smile 😀"


def test_a_nul_byte_is_refused_with_a_sentence_naming_the_field() -> None:
    with pytest.raises(InvalidNote, match=r"The note body contains a NUL byte"):
        normalise_text("a\x00b", "note body", nul="refuse")


def test_a_nul_byte_is_removed_when_asked() -> None:
    assert normalise_text("a\x00b\x00", "search query", nul="remove") == "ab"


def test_bidi_controls_are_removed_only_when_asked() -> None:
    text = "invoice\u202efdp.exe \u2066x\u2069"
    assert normalise_text(text, "title", title=True) == "invoicefdp.exe x"
    assert normalise_text(text, "note body") == text


def test_a_title_loses_its_bidi_override_and_keeps_its_letters() -> None:
    draft = NoteDraft(title="Report \u202egpj.exe", body="right-to-left \u202e stays in a body")
    assert draft.title == "Report gpj.exe"
    assert "\u202e" in draft.body


def test_a_title_with_a_lone_surrogate_can_be_encoded_for_storage() -> None:
    draft = NoteDraft(title="lone \ud800 surrogate", body="x \udfff")
    assert draft.title.encode("utf-8") == "lone \ufffd surrogate".encode()
    draft.body.encode("utf-8")


def test_a_keyword_is_normalised_like_a_title() -> None:
    assert normalize_keyword("  \u202eIdeas\ud800 ") == "ideas\ufffd"
    with pytest.raises(InvalidNote, match="keyword contains a NUL byte"):
        normalize_keyword("bad\x00tag")
