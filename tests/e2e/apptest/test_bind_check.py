"""The app itself refuses to serve the notes on an address other machines can reach."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest


@pytest.fixture
def served_on() -> Iterator[Callable[[str], None]]:
    before = config.get_option("server.address")
    yield lambda address: config.set_option("server.address", address)
    config.set_option("server.address", before)


def test_the_app_refuses_to_show_notes_on_every_interface(
    open_page: Callable[..., AppTest],
    served_on: Callable[[str], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("KAIROS_ALLOW_REMOTE", raising=False)
    served_on("0.0.0.0")
    at = open_page()
    assert [e.value for e in at.error] == [
        "Kairos refuses to listen on “0.0.0.0”: other machines could read your notes. "
        "Use 127.0.0.1, or set KAIROS_ALLOW_REMOTE=1 if you really mean it."
    ]
    assert not at.title  # no page ran


def test_the_app_serves_a_remote_address_after_the_explicit_opt_in(
    open_page: Callable[..., AppTest],
    served_on: Callable[[str], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KAIROS_ALLOW_REMOTE", "1")
    served_on("0.0.0.0")
    at = open_page()
    assert not at.error
    assert at.title[0].value == "Notes"
