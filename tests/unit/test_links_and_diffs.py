"""Wikilinks as written, rewritten on a rename, and the diffs of history."""

from __future__ import annotations

from pkm_core.domain.diff import apply_delta, make_delta, word_diff
from pkm_core.domain.link import (
    complete_wikilink,
    find_wikilinks,
    open_wikilink,
    parse_wikilinks,
    rewrite_wikilinks,
)


def test_wikilinks_keep_their_heading_and_label() -> None:
    [plain, headed, labelled, both] = find_wikilinks(
        "[[A]] then [[B#Intro]] and [[C|see C]] or [[D#Part two|two]]"
    )
    assert (plain.target, plain.heading, plain.label, plain.shown) == ("A", None, None, "A")
    assert (headed.target, headed.heading, headed.shown) == ("B", "Intro", "B › Intro")
    assert (labelled.target, labelled.label, labelled.shown) == ("C", "see C", "see C")
    assert (both.target, both.heading, both.label) == ("D", "Part two", "two")
    assert parse_wikilinks("[[A]] [[a|again]] [[B#x]]") == ("A", "B")


def test_a_rename_rewrites_every_form_of_a_link_and_nothing_else() -> None:
    body = (
        "See [[Espresso extraction]], [[espresso extraction|the shot]], "
        "[[Espresso extraction#Grind]] and [[Espresso extraction#Grind|grind]]; "
        "not [[Espresso extraction notes]] nor Espresso extraction."
    )
    assert rewrite_wikilinks(body, "Espresso extraction", "Espresso shots") == (
        "See [[Espresso shots]], [[Espresso shots|the shot]], "
        "[[Espresso shots#Grind]] and [[Espresso shots#Grind|grind]]; "
        "not [[Espresso extraction notes]] nor Espresso extraction."
    )


def test_the_link_being_typed_is_the_unclosed_one_before_the_caret() -> None:
    body = "See [[Espresso]] and [[Grin"
    link = open_wikilink(body)
    assert link is not None and (link.start, link.end, link.fragment) == (21, 27, "Grin")
    assert open_wikilink("[[Done]] here") is None
    assert open_wikilink("[[Target#Head") is None and open_wikilink("[[Target|lab") is None
    assert open_wikilink("[[one\ntwo") is None  # a link never spans lines
    bare = open_wikilink("Start [[")
    assert bare is not None and bare.fragment == ""
    mid = open_wikilink("a [[Esp and more", caret=len("a [[Esp"))
    assert mid is not None and mid.fragment == "Esp"
    assert open_wikilink("a [[Esp", caret=99) == open_wikilink("a [[Esp")  # a stale caret


def test_completing_a_link_puts_the_title_in_and_keeps_the_rest() -> None:
    body = "See [[esp and more"
    link = open_wikilink(body, caret=len("See [[esp"))
    assert link is not None
    assert complete_wikilink(body, link, "Espresso shots") == "See [[Espresso shots]] and more"
    closed = "See [[esp]] later"
    link = open_wikilink(closed, caret=len("See [[esp"))
    assert link is not None
    assert complete_wikilink(closed, link, "Espresso shots") == "See [[Espresso shots]] later"
    link = open_wikilink("[[shot")
    assert link is not None
    assert complete_wikilink("[[shot", link, "Espresso shots", "shot") == "[[Espresso shots|shot]]"


def test_a_word_diff_marks_what_each_side_alone_has() -> None:
    pieces = word_diff("the quick brown fox", "the slow brown fox jumps")
    assert [(p.kind, p.text) for p in pieces if p.kind != "same"] == [
        ("removed", "quick"),
        ("added", "slow"),
        ("added", " jumps"),
    ]
    assert "".join(p.text for p in pieces if p.kind != "added") == "the quick brown fox"
    assert "".join(p.text for p in pieces if p.kind != "removed") == "the slow brown fox jumps"


def test_a_line_delta_rebuilds_the_older_text_exactly() -> None:
    newer = "".join(f"line {i}\n" for i in range(200)) + "no newline at the end"
    older = newer.replace("line 50\n", "line fifty\nand more\n").replace("line 199\n", "")
    delta = make_delta(newer, older)
    assert apply_delta(newer, delta) == older
    assert sum(len(p) for p in delta if isinstance(p, str)) < 40
