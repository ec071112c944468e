"""Hostile or careless input to the readers: one sentence each, the rest imported."""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pkm_core.application.ingest.parse import ParsedNote, Problem, parse_markdown
from pkm_core.application.ingest.source import RawEntry
from pkm_core.application.use_cases.ingest import ingest_path
from pkm_core.domain.errors import KairosError
from pkm_core.infrastructure.readers import FileImportReader
from pkm_core.infrastructure.readers.limits import MAX_NOTE_BYTES
from tests.fakes import FakeEmbedder, FakeUnitOfWork

READER = FileImportReader()


def reasons(tmp: Path, target: Path) -> dict[str, str]:
    report = ingest_path(FakeUnitOfWork().factory(), FakeEmbedder(), READER, target)
    return dict(report.skipped_items)


def test_symlinks_out_of_the_folder_are_refused_and_loops_reported(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    (tmp_path / "secret.md").write_text("outside")
    (vault / "ok.md").write_text("inside")
    os.symlink(tmp_path / "secret.md", vault / "escape.md")
    os.symlink(vault / "loop.md", vault / "loop.md")
    found = reasons(tmp_path, vault)
    assert found == {
        "escape.md": "escape.md was refused: it is a link to a place outside the imported folder.",
        "loop.md": "loop.md was skipped: it is a symbolic link that loops or leads nowhere.",
    }


def test_an_oversize_file_binary_md_and_a_zip_bomb_are_refused_with_a_sentence(
    tmp_path: Path,
) -> None:
    archive = tmp_path / "v.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("v/ok.md", "fine")
        z.writestr("v/huge.md", b"a" * (MAX_NOTE_BYTES + 10))
        z.writestr("v/bomb.png", b"\x00" * (50 * 2**20))
        z.writestr("v/binary.md", b"\x89PNG\x00\x00")
        z.writestr("v/ratio.pdf", b"\x00" * (20 * 2**20))
    started = time.perf_counter()
    found = reasons(tmp_path, archive)
    assert time.perf_counter() - started < 30
    assert found["huge.md"].startswith("huge.md was skipped: it is larger than a note may be")
    assert found["bomb.png"] == "bomb.png was skipped: attachments are limited to 25 MiB."
    assert "NUL bytes" in found["binary.md"]
    assert found["ratio.pdf"] == "ratio.pdf was refused: it expands like a zip bomb."
    assert "ok.md" not in found


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes_give_a_note_or_a_problem_never_an_exception(data: bytes) -> None:
    result = parse_markdown(RawEntry("markdown", "f.md", "f.md", data=data))
    assert isinstance(result, ParsedNote | Problem)


_yaml_text = st.recursive(
    st.one_of(st.text(max_size=20), st.integers(), st.floats(), st.booleans(), st.none()),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
).map(repr)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_yaml_text, st.text(max_size=300)), st.text(max_size=200))
def test_random_front_matter_gives_a_note_with_only_domain_warnings(yaml: str, body: str) -> None:
    data = f"---\n{yaml}\n---\n{body}".encode("utf-8", "surrogatepass")
    try:
        result = parse_markdown(RawEntry("markdown", "f.md", "f.md", data=data))
    except KairosError:
        return
    assert isinstance(result, ParsedNote | Problem)
