"""The Status page: where the data lives, counts, the model, index coverage, re-indexing."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import create_engine, text
from streamlit.testing.v1 import AppTest

from pkm_core.application.use_cases.index import index_status
from pkm_core.bootstrap import Kairos
from tests.e2e.apptest.helpers import make_note, texts

STATUS = "views/status.py"


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def run_sql(kairos: Kairos, sql: str) -> None:
    engine = create_engine(kairos.urls.sync_url)
    with engine.begin() as conn:
        conn.execute(text(sql))
    engine.dispose()


def test_status_shows_where_the_data_lives_the_counts_and_the_model(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    make_note(kairos, "One", "first note")
    make_note(kairos, "Two", "second note")
    at = open_page(STATUS)

    shown = " ".join(texts(at.markdown))
    assert f"External PostgreSQL at `{kairos.urls.display}`" in shown
    assert "`fake-bag-of-words` on **an unknown device**, 384 dimensions · loaded" in shown
    assert metrics(at) == {"Notes": "2", "Chunks": "2", "Notes without vectors": "0"}
    assert any(s.startswith("Every note is indexed") for s in texts(at.success))


def test_notes_without_vectors_are_reported_and_rebuilding_the_index_fixes_them(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    make_note(kairos, "One", "first note")
    make_note(kairos, "Two", "second note")
    run_sql(kairos, "UPDATE note_chunks SET embedding = NULL; UPDATE notes SET embedding = NULL")
    at = open_page(STATUS)
    assert metrics(at)["Notes without vectors"] == "2"
    assert any("2 of 2 notes have no vectors" in w for w in texts(at.warning))

    at.button(key="reindex").click().run()

    assert texts(at.success)[0] == "Re-indexed 2 notes."
    assert metrics(at)["Notes without vectors"] == "0"
    assert index_status(kairos.uow(), kairos.embedder.model_name).notes_without_vectors == 0


def test_vectors_of_another_model_are_reported_until_the_index_is_rebuilt(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    make_note(kairos, "One", "first note")
    run_sql(kairos, "UPDATE embedding_model SET name = 'some-older-model'")
    at = open_page(STATUS)
    assert any("made by `some-older-model`" in w for w in texts(at.warning))

    at.button(key="reindex").click().run()

    assert not at.warning
    status = index_status(kairos.uow(), kairos.embedder.model_name)
    assert status.recorded_model == "fake-bag-of-words" and status.model_matches


def test_an_empty_database_has_nothing_to_index(open_page: Callable[..., AppTest]) -> None:
    at = open_page(STATUS)
    assert metrics(at) == {"Notes": "0", "Chunks": "0", "Notes without vectors": "0"}
    assert "Nothing to index yet." in texts(at.caption)


def test_a_rebuild_shows_its_count_and_a_stopped_one_says_how_far_it_got(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    make_note(kairos, "One", "first note")
    at = open_page(STATUS)
    at.session_state["status_reindex_running"] = (8, 26)  # a run cancelled after a batch
    at.run()
    assert any(
        w.startswith("The rebuild was stopped after 8 of 26 notes; those are indexed.")
        for w in texts(at.warning)
    )
    at.run()
    assert not any("stopped after" in w for w in texts(at.warning))  # said once
    at.button(key="reindex").click().run()
    assert texts(at.success)[0] == "Re-indexed 1 note."
