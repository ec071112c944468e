"""Where an export is written: a new or empty folder, or a zip (a file or in memory)."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import IO

from pkm_core.application.ingest.source import UnsupportedImport
from pkm_core.domain.errors import KairosError


class ExportRefused(KairosError):
    """The export target cannot be used."""


def _checked(path: str) -> str:
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts:
        raise ExportRefused(f"{path} is not a safe path inside the export.")
    return pure.as_posix()


class FolderSink:
    def __init__(self, root: Path) -> None:
        if root.exists() and (not root.is_dir() or any(root.iterdir())):
            raise ExportRefused(f"{root} is not an empty folder; nothing was exported.")
        root.mkdir(parents=True, exist_ok=True)
        self.root = root.resolve()

    def write(self, path: str, data: bytes) -> None:
        target = (self.root / _checked(path)).resolve()
        if not target.is_relative_to(self.root):
            raise ExportRefused(f"{path} would be written outside {self.root}.")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


class ZipSink:
    def __init__(self, target: Path | IO[bytes]) -> None:
        self.archive = zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED)

    def write(self, path: str, data: bytes) -> None:
        self.archive.writestr(_checked(path), data)

    def close(self) -> None:
        self.archive.close()


@contextmanager
def open_sink(target: Path) -> Iterator[FolderSink | ZipSink]:
    target = target.expanduser()
    if target.suffix.lower() == ".zip":
        if target.exists():
            raise ExportRefused(f"{target} already exists; nothing was exported.")
        sink = ZipSink(target)
        try:
            yield sink
        finally:
            sink.close()
        return
    yield FolderSink(target)


__all__ = ["ExportRefused", "FolderSink", "UnsupportedImport", "ZipSink", "open_sink"]
