"""The Notes page: the list, its filters, order and pages, and the empty states."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import create_engine, text
from streamlit.testing.v1 import AppTest

from pkm_core.application.use_cases.catalog import create_project
from pkm_core.bootstrap import Kairos
from tests.e2e.apptest.conftest import APP, TIMEOUT
from tests.e2e.apptest.helpers import link_labels, make_note, texts


def listed(at: AppTest) -> list[str]:
    return link_labels(at)


def test_an_empty_knowledge_base_invites_writing_the_first_note(
    open_page: Callable[..., AppTest],
) -> None:
    at = open_page()
    assert "Your knowledge base is empty" in texts(at.subheader)
    at.button(key="write_first").click().run()
    assert at.title[0].value == "New note"


def test_every_note_is_listed_newest_change_first_with_the_count(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    for title in ("Alpha", "Beta", "Gamma"):
        make_note(kairos, title, f"About {title.lower()}.")
    at = open_page()
    assert listed(at) == ["Gamma", "Beta", "Alpha"]
    assert "3 notes" in texts(at.caption)


def test_notes_can_be_sorted_by_title(open_page: Callable[..., AppTest], kairos: Kairos) -> None:
    for title in ("beta", "Gamma", "alpha"):
        make_note(kairos, title)
    at = open_page()
    at.selectbox(key="notes_sort").select_index(2).run()
    assert listed(at) == ["alpha", "beta", "Gamma"]


def test_filtering_by_keyword_keeps_only_notes_with_all_chosen_keywords(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    make_note(kairos, "Rye bread", keywords=("bread", "rye"))
    make_note(kairos, "Wheat bread", keywords=("bread",))
    make_note(kairos, "Taxes", keywords=("admin",))
    at = open_page()

    at.multiselect(key="notes_keywords").select("bread").run()
    assert sorted(listed(at)) == ["Rye bread", "Wheat bread"]
    assert "2 of 3 notes match the filters" in texts(at.caption)
    at.multiselect(key="notes_keywords").select("rye").run()
    assert listed(at) == ["Rye bread"]


def test_filtering_by_project_includes_the_projects_inside_it(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    kitchen = create_project(kairos.uow(), "Kitchen")
    baking = create_project(kairos.uow(), "Baking", parent_id=kitchen.id)
    make_note(kairos, "Pantry list", project_id=kitchen.id)
    make_note(kairos, "Focaccia", project_id=baking.id)
    make_note(kairos, "Elsewhere")
    at = open_page()

    at.selectbox(key="notes_project").select(kitchen.id).run()
    assert sorted(listed(at)) == ["Focaccia", "Pantry list"]
    at.selectbox(key="notes_project").select(baking.id).run()
    assert listed(at) == ["Focaccia"]
    assert "Project: Kitchen / Baking" in " ".join(texts(at.caption))


def test_filtering_by_a_date_range_keeps_notes_from_those_days(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    old = make_note(kairos, "Last year")
    make_note(kairos, "Today")
    engine = create_engine(kairos.urls.sync_url)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE notes SET created_at = now() - interval '400 days' WHERE id = :id"),
            {"id": old},
        )
    engine.dispose()
    today = date.today()
    at = open_page()

    at.selectbox(key="notes_date_field").select("created").run()
    at.date_input(key="notes_dates").set_value((today - timedelta(days=7), today)).run()
    assert listed(at) == ["Today"]
    at.date_input(key="notes_dates").set_value(
        (today - timedelta(days=500), today - timedelta(days=300))
    ).run()
    assert listed(at) == ["Last year"]


def test_a_filter_that_matches_nothing_says_so(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    make_note(kairos, "Something")
    today = date.today()
    at = open_page()
    at.date_input(key="notes_dates").set_value(
        (today + timedelta(days=1), today + timedelta(days=2))
    )
    at.run()
    assert listed(at) == []
    assert texts(at.info) == ["No notes match these filters. Remove a keyword or widen the dates."]


def test_many_notes_are_shown_a_page_at_a_time(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    for number in range(1, 24):
        make_note(kairos, f"Note {number:02d}")
    at = open_page()
    at.selectbox(key="notes_sort").select_index(2).run()  # by title
    at.selectbox(key="notes_page_size").select(10).run()
    assert listed(at) == [f"Note {n:02d}" for n in range(1, 11)]

    at.pagination(key="notes_page").set_value(3).run()
    assert listed(at) == [f"Note {n:02d}" for n in range(21, 24)]
    assert "23 notes" in texts(at.caption)


def test_note_titles_with_markup_are_shown_as_plain_text(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    make_note(kairos, "**not bold** [link](javascript:alert(1)) <b>tag</b>", "body")
    at = open_page()
    label = listed(at)[0]
    assert "\\*\\*not bold\\*\\*" in label and "\\[link\\]" in label and "\\<b\\>" in label


def test_the_filters_are_kept_when_the_person_comes_back(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    make_note(kairos, "Rye bread", keywords=("bread",))
    make_note(kairos, "Taxes", keywords=("admin",))
    at = open_page()
    at.multiselect(key="notes_keywords").select("bread").run()
    at.switch_page("views/search.py").run()
    at.switch_page("views/notes.py").run()
    assert listed(at) == ["Rye bread"]


def test_the_dense_list_view_shows_one_row_per_note_and_is_kept_in_the_address(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    for title in ("Alpha", "Beta"):
        make_note(kairos, title, f"A long excerpt about {title.lower()}.", keywords=("greek",))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params["view"] = "list"  # a bookmarked address
    at.run()
    assert listed(at) == ["Beta", "Alpha"]
    shown = [m.value for m in at.markdown]
    assert not any("A long excerpt" in value for value in shown)  # rows carry no excerpt
    assert any(t.endswith("· greek") for t in texts(at.caption))
    assert at.query_params["view"] == "list"
    cards = open_page()
    assert any("A long excerpt about beta" in m.value for m in cards.markdown)
    assert "view" not in cards.query_params
