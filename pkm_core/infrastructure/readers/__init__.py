"""Readers of what can be imported: a vault folder, a zip, a JSONL file, uploads."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from pathlib import Path

from pkm_core.application.ingest.source import ImportSource, RawEntry, UnsupportedImport
from pkm_core.infrastructure.readers.folder import FolderSource
from pkm_core.infrastructure.readers.jsonl import JsonlSource
from pkm_core.infrastructure.readers.limits import (
    JSONL_SUFFIXES,
    MAX_NOTE_BYTES,
    hidden,
    is_note,
    too_large,
    unsafe_member,
)
from pkm_core.infrastructure.readers.zip_reader import ZipSource


class UploadSource:
    """Files uploaded in the app, held in memory by the app already: .md files at the top
    of the vault, and .zip archives read in place."""

    def __init__(self, files: Sequence[tuple[str, bytes]]) -> None:
        self.files = list(files)
        self.zips = [
            ZipSource(lambda data=data: io.BytesIO(data), name)
            for name, data in self.files
            if name.lower().endswith(".zip")
        ]
        self.is_vault = bool(self.zips) and len(self.files) == 1

    def entries(self, *, with_attachments: bool) -> Iterator[RawEntry]:
        for archive in self.zips:
            yield from archive.entries(with_attachments=with_attachments)
        for name, data in self.files:
            path = name.replace("\\", "/").rsplit("/", 1)[-1]
            if path.lower().endswith(".zip") or hidden((path,)):
                continue
            if unsafe_member(path) or not is_note(path):
                yield RawEntry(
                    "problem",
                    name,
                    problem=f"{name} was skipped: only .md files and .zip archives are imported.",
                )
            elif len(data) > MAX_NOTE_BYTES:
                yield RawEntry("problem", path, path, problem=too_large(path))
            else:
                yield RawEntry("markdown", path, path, data=data)


class SingleFileSource:
    is_vault = False

    def __init__(self, path: Path) -> None:
        self.path = path

    def entries(self, *, with_attachments: bool) -> Iterator[RawEntry]:
        with self.path.open("rb") as handle:
            data = handle.read(MAX_NOTE_BYTES + 1)  # never more than a note may be
        yield from UploadSource([(self.path.name, data)]).entries(with_attachments=with_attachments)


class FileImportReader:
    """`IImportReader`: a path or uploads -> an `ImportSource`."""

    def open(self, path: Path) -> ImportSource:
        if path.is_dir():
            return FolderSource(path)
        if not path.exists():
            raise UnsupportedImport(f"{path} does not exist.")
        suffix = path.suffix.lower()
        if suffix == ".zip":
            return ZipSource(path, path.name)
        if suffix in JSONL_SUFFIXES:
            return JsonlSource(path)
        if is_note(path.name):
            return SingleFileSource(path)
        raise UnsupportedImport(
            f"{path.name} is not a folder, .zip, .jsonl or Markdown file; nothing was imported."
        )

    def uploads(self, files: Sequence[tuple[str, bytes]]) -> ImportSource:
        return UploadSource(files)
