"""Bulk import against fakes: parsing files and lines, restarts, bad input."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from pkm_core.application.use_cases.ingest import (
    ingest_folder,
    ingest_jsonl,
    ingest_path,
    ingest_zip,
    parse_jsonl_line,
    parse_markdown,
)
from pkm_core.domain.errors import EmbeddingModelMismatch
from tests.fakes import FakeEmbedder, FakeUnitOfWork


def parse(text: str | bytes, name: str = "notes/idea.md") -> tuple[object, ...]:
    data = text.encode() if isinstance(text, str) else text
    item = parse_markdown(name, data, f"file:{name}")
    draft = item.draft
    if draft is None:
        return (None, item.problem)
    return (draft.title, draft.body, draft.keywords, item.warnings)


def test_front_matter_gives_the_title_and_the_keywords() -> None:
    text = "---\ntitle: Sourdough\ntags: [Baking, bread]\nkeywords: starter\n---\nFlour."
    assert parse(text) == ("Sourdough", "Flour.", ("baking", "bread", "starter"), ())


def test_without_front_matter_the_title_is_the_first_heading_then_the_file_name() -> None:
    assert parse("intro\n# The Heading\ntext")[0] == "The Heading"
    assert parse("no heading here", "notes/my-idea.md")[0] == "my-idea"


def test_broken_front_matter_imports_the_whole_file_as_text_and_says_so() -> None:
    title, body, _, warnings = parse("---\ntitle: [unclosed\n---\nbody", "broken.md")
    assert (title, body) == ("broken", "---\ntitle: [unclosed\n---\nbody")
    assert "front matter could not be read" in warnings[0]  # type: ignore[index]


def test_invalid_utf8_and_nul_bytes_are_reported_not_imported() -> None:
    assert parse(b"caf\xe9 latte") == (
        None,
        "notes/idea.md was skipped: it is not valid UTF-8 text (byte 0xe9 at offset 3).",
    )
    problem = parse(b"binary\x00data")[1]
    assert "NUL bytes" in str(problem)


def test_a_bad_keyword_is_dropped_with_a_warning_and_the_note_kept() -> None:
    title, _, keywords, warnings = parse("---\ntags: [good, '" + "x" * 80 + "']\n---\nbody")
    assert (title, keywords) == ("idea", ("good",))
    assert "keyword dropped" in warnings[0]  # type: ignore[index]


def test_a_jsonl_line_becomes_a_note_identified_by_its_id() -> None:
    line = json.dumps({"_id": "42", "title": "Claim", "text": "Body", "tags": "a, b"})
    item = parse_jsonl_line("c.jsonl line 1", line.encode(), "jsonl:c.jsonl:1")
    assert item is not None and item.draft is not None
    assert (item.draft.title, item.draft.external_id, item.draft.keywords) == (
        "Claim",
        "jsonl:42",
        ("a", "b"),
    )


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b"{not json", "is not valid JSON"),
        (b"[1, 2]", "is not a JSON object"),
        (b'{"title": 3, "text": "x"}', "must be strings"),
        (b'{"title": "", "text": " "}', "no title and no text"),
    ],
)
def test_a_bad_jsonl_line_is_reported_with_its_reason(line: bytes, reason: str) -> None:
    item = parse_jsonl_line("c.jsonl line 7", line, "jsonl:c.jsonl:7")
    assert item is not None and item.draft is None
    assert item.problem is not None and item.problem.startswith("c.jsonl line 7 was skipped")
    assert reason in item.problem


def write(folder: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    return folder


def test_a_folder_import_reports_what_it_did_and_skips_bad_files(
    tmp_path: Path, fake_embedder: FakeEmbedder
) -> None:
    write(
        tmp_path,
        {
            "a.md": "# Alpha\nfirst",
            "sub/b.txt": "second",
            "bad.md": b"\xff\xfe bad",
            ".obsidian/c.md": "hidden",
            "image.png": b"\x89PNG",
        },
    )
    uow = FakeUnitOfWork()
    progress: list[tuple[int, int]] = []
    report = ingest_folder(
        uow.factory(), fake_embedder, tmp_path, lambda d, t: progress.append((d, t))
    )
    assert (report.created, report.skipped) == (2, 1)
    assert report.skipped_items[0][0] == "bad.md"
    assert {n.external_id for n in uow.notes.notes.values()} == {"file:a.md", "file:sub/b.txt"}
    assert progress[-1] == (3, 3)


def test_running_an_import_again_skips_unchanged_notes_and_updates_changed_ones(
    tmp_path: Path, fake_embedder: FakeEmbedder
) -> None:
    write(tmp_path, {"a.md": "alpha", "b.md": "beta"})
    uow = FakeUnitOfWork()
    ingest_folder(uow.factory(), fake_embedder, tmp_path)
    note = uow.notes.get_by_external_id("file:b.md")
    assert note is not None
    uow.notes.update(note.id, note.draft().model_copy(update={"keywords": ("mine",)}), 1)
    write(tmp_path, {"a.md": "alpha, edited"})
    fake_embedder.calls.clear()
    report = ingest_folder(uow.factory(), fake_embedder, tmp_path)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert fake_embedder.calls == ["a\nalpha, edited"]
    kept = uow.notes.get_by_external_id("file:b.md")
    assert kept is not None and kept.keywords == ("mine",)  # tags added in the app stay


def test_duplicate_titles_are_disambiguated_and_reported_and_stable_on_rerun(
    tmp_path: Path, fake_embedder: FakeEmbedder
) -> None:
    write(tmp_path, {"x/idea.md": "one", "y/idea.md": "two", "z.md": "# Idea\nthree"})
    uow = FakeUnitOfWork()
    report = ingest_folder(uow.factory(), fake_embedder, tmp_path)
    titles = sorted(n.title for n in uow.notes.notes.values())
    assert titles == ["Idea (3)", "idea", "idea (2)"]
    assert [source for source, _ in report.warnings] == ["y/idea.md", "z.md"]
    assert "imported as “idea (2)”" in report.warnings[0][1]
    again = ingest_folder(uow.factory(), fake_embedder, tmp_path)
    assert (again.created, again.unchanged) == (0, 3)


def test_a_zip_member_with_an_unsafe_path_is_refused_and_the_rest_imported(
    tmp_path: Path, fake_embedder: FakeEmbedder
) -> None:
    archive = tmp_path / "notes.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("vault/ok.md", "# Fine\nsafe")
        handle.writestr("../evil.md", "climbs out")
        handle.writestr("/etc/evil.md", "absolute")
    uow = FakeUnitOfWork()
    report = ingest_zip(uow.factory(), fake_embedder, archive)
    assert report.created == 1
    assert sorted(reason for _, reason in report.skipped_items) == [
        "../evil.md was refused: its path climbs out of the archive (..).",
        "/etc/evil.md was refused: its path is absolute.",
    ]
    assert uow.notes.get_by_external_id("file:vault/ok.md") is not None


def test_a_jsonl_import_goes_in_batches_and_reports_the_bad_line(
    tmp_path: Path, fake_embedder: FakeEmbedder
) -> None:
    lines = [json.dumps({"id": i, "title": f"T{i}", "text": f"text {i}"}) for i in range(5)]
    lines.insert(2, "{oops")
    path = tmp_path / "notes.jsonl"
    path.write_text("\n".join(lines) + "\n\n")
    uow = FakeUnitOfWork()
    batches: list[int] = []
    add_many = uow.notes.add_many
    uow.notes.add_many = lambda notes: batches.append(len(notes)) or add_many(notes)  # type: ignore[method-assign]
    report = ingest_jsonl(uow.factory(), fake_embedder, path, batch_size=2)
    assert (report.created, report.skipped) == (5, 1)
    assert report.skipped_items[0][0] == "notes.jsonl line 3"
    assert batches == [2, 2, 1]  # one bulk insert per batch of two


def test_one_note_the_database_refuses_is_reported_and_the_batch_kept(
    tmp_path: Path, fake_embedder: FakeEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"a.md": "fine", "b.md": "refused by the store", "c.md": "fine too"})
    uow = FakeUnitOfWork()
    real_add_many = uow.notes.add_many

    def picky_add_many(notes: list) -> list[int]:  # type: ignore[type-arg]
        if any("refused" in n.draft.body for n in notes):
            raise RuntimeError("constraint violated")
        return real_add_many(notes)

    monkeypatch.setattr(uow.notes, "add_many", picky_add_many)
    report = ingest_folder(uow.factory(), fake_embedder, tmp_path)
    assert (report.created, report.skipped) == (2, 1)
    assert report.skipped_items == (("b.md", "b.md was skipped: constraint violated."),)


def test_an_import_with_another_model_than_the_one_on_record_stops(tmp_path: Path) -> None:
    write(tmp_path, {"a.md": "text"})
    uow = FakeUnitOfWork()
    uow.index.record_model("model-a", 384)
    with pytest.raises(EmbeddingModelMismatch):
        ingest_path(uow.factory(), FakeEmbedder(model_name="model-b"), tmp_path)


def test_a_path_that_cannot_be_imported_is_explained(
    tmp_path: Path, fake_embedder: FakeEmbedder
) -> None:
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(Exception, match="nothing was imported"):
        ingest_path(FakeUnitOfWork, fake_embedder, tmp_path / "photo.jpg")
