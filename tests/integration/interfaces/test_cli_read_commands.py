"""`kairos search`, `kairos show` and `kairos related` on the embedded database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from pkm_core.application.use_cases.notes import create_note
from pkm_core.bootstrap import build_kairos
from pkm_core.cli import main
from pkm_core.domain.note import NoteDraft
from pkm_core.infrastructure.settings import get_settings

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def notes(data_dir: Path) -> Iterator[dict[str, int]]:
    with pytest.MonkeyPatch.context() as env:
        env.delenv("DATABASE_URL_SYNC", raising=False)
        env.delenv("DATABASE_URL_ASYNC", raising=False)
        env.setenv("KAIROS_DATA_DIR", str(data_dir))
        env.setenv("KAIROS_EMBEDDING_DEVICE", "cpu")
        get_settings.cache_clear()
        kairos = build_kairos()
        drafts = [
            NoteDraft(title="Garden watering", body="Water the tomatoes at dawn. [[Compost]]"),
            NoteDraft(title="Compost", body="Kitchen scraps and leaves rot into soil for plants."),
        ]
        yield {d.title: create_note(kairos.uow(), kairos.embedder, d).id for d in drafts}
    get_settings.cache_clear()


def test_search_prints_ranked_notes_as_json(
    notes: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", "tomatoes", "--mode", "keyword", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits[0]["id"] == notes["Garden watering"]
    assert hits[0]["matched_by"] == ["keywords"]


def test_search_prints_a_line_per_note_for_people(
    notes: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", "decaying food waste", "--limit", "1"]) == 0
    assert "Compost" in capsys.readouterr().out


def test_show_finds_a_note_by_title_with_its_links(
    notes: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["show", "garden watering", "--json"]) == 0
    note = json.loads(capsys.readouterr().out)
    assert note["id"] == notes["Garden watering"]
    assert note["links_out"] == [{"title": "Compost", "id": notes["Compost"]}]
    assert main(["show", str(notes["Compost"])]) == 0
    assert capsys.readouterr().out.startswith("# Compost\n")


def test_related_lists_the_nearest_notes(
    notes: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["related", str(notes["Garden watering"]), "--json"]) == 0
    related = json.loads(capsys.readouterr().out)
    assert notes["Compost"] in [r["id"] for r in related]


def test_an_unknown_note_is_one_sentence_on_stderr(
    notes: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["show", "No such note"]) == 2
    assert capsys.readouterr().err == "kairos: No note is titled “No such note”.\n"
