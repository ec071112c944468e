"""The Search page: one box, three modes, filters, highlighted snippets, clear messages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from pkm_core.application.dto import SearchMode
from pkm_core.bootstrap import Kairos
from tests.e2e.apptest.helpers import link_labels, make_note, texts
from tests.fakes import FakeEmbedder

SEARCH = "views/search.py"


def search(at: AppTest, query: str, mode: SearchMode | None = None) -> AppTest:
    if mode is not None:
        at.segmented_control(key="search_mode").set_value(mode)
    at.text_input(key="search_query").input(query)
    return at.run()


def results(at: AppTest) -> list[str]:
    return link_labels(at)


def snippets(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith('<div class="kairos-snippet">')]


@pytest.fixture
def bread_notes(kairos: Kairos) -> dict[str, int]:
    return {
        "Sourdough": make_note(kairos, "Sourdough", "Feed the starter with flour and water."),
        "Focaccia": make_note(kairos, "Focaccia", "Olive oil, flour, salt; bake hot."),
        "Taxes": make_note(kairos, "Taxes", "File the return before the deadline."),
    }


def test_search_is_hybrid_unless_another_mode_is_chosen(
    open_page: Callable[..., AppTest], bread_notes: dict[str, int]
) -> None:
    at = open_page(SEARCH)
    assert at.segmented_control(key="search_mode").value == SearchMode.HYBRID
    search(at, "flour")
    assert sorted(results(at)[:2]) == ["Focaccia", "Sourdough"]
    assert all("relevance" in c for c in texts(at.caption) if c.startswith("Matched"))


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        (SearchMode.HYBRID, "Matched by meaning and keywords · relevance"),
        (SearchMode.SEMANTIC, "Matched by meaning · similarity"),
        (SearchMode.KEYWORD, "Matched by keywords · BM25 score"),
    ],
)
def test_each_mode_finds_the_note_and_says_why(
    open_page: Callable[..., AppTest],
    bread_notes: dict[str, int],
    mode: SearchMode,
    reason: str,
) -> None:
    at = search(open_page(SEARCH), "deadline return", mode)
    assert results(at)[0] == "Taxes"
    assert any(c.startswith(reason) for c in texts(at.caption))


def test_a_result_title_opens_the_note(
    open_page: Callable[..., AppTest], bread_notes: dict[str, int]
) -> None:
    at = search(open_page(SEARCH), "starter")
    link = at.get("page_link")[0]
    assert link.value == "**Sourdough**"
    assert link.proto.page.endswith("note") and link.proto.query_string == (
        f"id={bread_notes['Sourdough']}"
    )


def test_snippets_highlight_the_match_and_show_html_as_text(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    make_note(kairos, "Markup", "Some <b>bold</b> claims about <script>x()</script> yeast.")
    at = search(open_page(SEARCH), "yeast", SearchMode.KEYWORD)
    [snippet] = snippets(at)
    assert "<mark>yeast</mark>" in snippet
    assert "&lt;b&gt;bold&lt;/b&gt;" in snippet and "<script>" not in snippet


def test_filters_narrow_the_results(open_page: Callable[..., AppTest], kairos: Kairos) -> None:
    make_note(kairos, "Rye", "flour and rye", keywords=("bread",))
    make_note(kairos, "Glue", "flour and water paste", keywords=("craft",))
    at = search(open_page(SEARCH), "flour")
    assert sorted(results(at)) == ["Glue", "Rye"]
    at.multiselect(key="search_keywords").select("craft").run()
    assert results(at) == ["Glue"]


def test_a_search_without_matches_says_so(
    open_page: Callable[..., AppTest], bread_notes: dict[str, int]
) -> None:
    at = search(open_page(SEARCH), "xylophone", SearchMode.KEYWORD)
    assert results(at) == []
    assert texts(at.info) == ["Nothing matches “xylophone”. Try other words, another mode."]


def test_an_empty_box_asks_for_a_query(open_page: Callable[..., AppTest]) -> None:
    at = open_page(SEARCH)
    assert "Type what you are looking for and press Enter." in texts(at.caption)
    assert not at.error


def test_while_the_model_loads_search_says_so_and_shows_keyword_matches(
    open_page: Callable[..., AppTest],
    bread_notes: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = open_page(SEARCH)
    monkeypatch.setattr(FakeEmbedder, "is_loaded", property(lambda self: False))
    search(at, "starter")
    assert any("still loading" in i for i in texts(at.info))
    assert results(at) == ["Sourdough"]
    assert any(c.startswith("Matched by keywords") for c in texts(at.caption))


def test_more_results_are_shown_on_request(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    for number in range(12):
        make_note(kairos, f"Loaf {number}", "bread crumb crust")
    at = search(open_page(SEARCH), "crumb", SearchMode.KEYWORD)
    assert len(results(at)) == 10
    at.button(key="show_more").click().run()
    assert len(results(at)) == 12
    assert "show_more" not in [b.key for b in at.button]


def test_nul_bytes_in_the_query_are_ignored(
    open_page: Callable[..., AppTest], bread_notes: dict[str, int]
) -> None:
    at = search(open_page(SEARCH), "star\x00ter", SearchMode.KEYWORD)
    assert not at.error and not at.exception
    assert results(at) == ["Sourdough"]
