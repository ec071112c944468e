"""Bad input in the UI: each is answered on the page, and nothing typed is lost."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from pkm_core.application.use_cases.notes import count_notes, get_note
from pkm_core.bootstrap import DatabaseUrls, Kairos
from pkm_core.infrastructure.settings import get_settings
from streamlit_app.runtime import get_kairos
from tests.e2e.apptest.helpers import WRITE, fill, make_note, save, texts

# Port 1 on the loopback: nothing listens there, so connecting fails at once.
UNREACHABLE = "postgresql+psycopg2://kairos:s3cret@127.0.0.1:1/kairos"
ONE_MEGABYTE = "x" * 1_000_000


def assert_draft_kept(at: AppTest, title: str, body: str) -> None:
    assert at.text_input(key="draft_title").value == title
    assert at.text_area(key="draft_body").value == body


@pytest.mark.parametrize(
    ("title", "body", "message"),
    [
        ("   ", "A body without a title.", "A note needs a title."),
        ("Huge", ONE_MEGABYTE, "The note body is 1,000,000 characters long; the limit is 200,000."),
        ("Nul", "before\x00after", "The note body contains a NUL byte (\\x00)"),
        ("Nul\x00title", "body", "The title contains a NUL byte (\\x00)"),
    ],
    ids=["empty title", "1 MB body", "NUL in body", "NUL in title"],
)
def test_a_note_the_rules_refuse_is_explained_and_the_draft_stays(
    open_page: Callable[..., AppTest], kairos: Kairos, title: str, body: str, message: str
) -> None:
    at = open_page(WRITE)
    fill(at, title, body)
    save(at)

    assert not at.exception
    [shown] = texts(at.error)
    assert shown.startswith(message)
    assert_draft_kept(at, title, body)
    assert count_notes(kairos.uow()) == 0


def test_emoji_and_right_to_left_text_are_saved_and_shown_unchanged(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    title, body = "Café 🌱 שלום", "مرحبا بالعالم — 你好 👋🏽 and a ZWJ family 👨‍👩‍👧"
    at = open_page(WRITE)
    fill(at, title, body)
    save(at)

    assert not at.error
    note_id = int(at.query_params["note"][0])
    stored = get_note(kairos.uow(), note_id)
    assert (stored.title, stored.body) == (title, body)
    at.switch_page("views/note.py")
    at.query_params["id"] = str(note_id)
    at.run()
    assert body in texts(at.markdown)


def test_a_duplicate_title_is_refused_and_the_draft_stays(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    make_note(kairos, "Bread", "first")
    at = open_page(WRITE)
    fill(at, "bread", "second")
    save(at)
    assert texts(at.error) == ["A note titled “bread” already exists; choose another title."]
    assert_draft_kept(at, "bread", "second")


def test_a_database_that_goes_away_is_reported_and_the_draft_stays(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    at = open_page(WRITE)
    fill(at, "Written during an outage", "Every word of this must survive.")
    # The server becomes unreachable while the app runs.
    get_kairos().urls = DatabaseUrls(UNREACHABLE, UNREACHABLE.replace("psycopg2", "asyncpg"))
    save(at)

    assert not at.exception
    assert any(e.startswith("The database cannot be reached") for e in texts(at.error))
    assert_draft_kept(at, "Written during an outage", "Every word of this must survive.")


@pytest.mark.parametrize(
    "page", ["views/notes.py", "views/write.py", "views/search.py", "views/status.py"]
)
def test_a_database_unreachable_at_start_is_reported_without_revealing_the_password(
    open_page: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    monkeypatch.setenv("DATABASE_URL_SYNC", UNREACHABLE)
    monkeypatch.setenv("DATABASE_URL_ASYNC", UNREACHABLE.replace("psycopg2", "asyncpg"))
    get_settings.cache_clear()

    at = open_page(page)

    assert not at.exception
    assert any(e.startswith("Kairos cannot reach its database") for e in texts(at.error))
    shown = " ".join(texts(at.error) + texts(at.markdown) + texts(at.caption))
    assert "s3cret" not in shown


def test_writing_while_the_database_is_unreachable_keeps_the_draft(
    open_page: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL_SYNC", UNREACHABLE)
    monkeypatch.setenv("DATABASE_URL_ASYNC", UNREACHABLE.replace("psycopg2", "asyncpg"))
    get_settings.cache_clear()
    at = open_page(WRITE)
    fill(at, "Offline thought", "Still here after the failed save.")
    save(at)

    assert not at.exception
    assert any("cannot reach its database" in e for e in texts(at.error))
    assert_draft_kept(at, "Offline thought", "Still here after the failed save.")


def test_a_message_that_quotes_a_title_shows_it_as_typed_not_as_markup(
    open_page: Callable[..., AppTest], kairos: Kairos
) -> None:
    make_note(kairos, "**Loud** [link](https://example.org)")
    at = open_page(WRITE)
    fill(at, "**Loud** [link](https://example.org)", "again")
    save(at)
    # Backslashes keep markdown from turning the quoted title into bold text and a link.
    assert "“\\*\\*Loud\\*\\* \\[link\\](https://example.org)”" in at.error[0].value
