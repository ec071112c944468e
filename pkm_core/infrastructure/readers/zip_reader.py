"""A zip of a vault, read in place (never extracted): unsafe names refused, every member's
expansion capped, zip bombs refused."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import IO

from pkm_core.application.ingest.source import RawEntry, UnsupportedImport
from pkm_core.infrastructure.readers.limits import (
    MAX_ARCHIVE_BYTES,
    MAX_RATIO,
    hidden,
    is_note,
    limit_for,
    logseq_private,
    too_large,
    unsafe_member,
)


class ZipSource:
    is_vault = True

    def __init__(self, opener: object, label: str, prefix: str = "") -> None:
        self._opener = opener  # a path or a callable returning a binary file
        self.label = label
        self.prefix = prefix  # uploads of several zips: each under its own name
        try:
            with self._open() as archive:
                names = [m.filename for m in archive.infolist() if not m.is_dir()]
        except (zipfile.BadZipFile, OSError, ValueError):
            raise UnsupportedImport(f"{label} cannot be read as a zip archive.") from None
        tops = {n.replace("\\", "/").split("/", 1)[0] for n in names}
        self.root = tops.pop() + "/" if len(tops) == 1 and all("/" in n for n in names) else ""
        stripped = [n[len(self.root) :] for n in names]
        self.graph = any(n.startswith("logseq/") for n in stripped) and any(
            n.startswith(("pages/", "journals/")) for n in stripped
        )

    def _open(self) -> zipfile.ZipFile:
        source = self._opener() if callable(self._opener) else self._opener
        return zipfile.ZipFile(source)  # type: ignore[arg-type]

    def entries(self, *, with_attachments: bool) -> Iterator[RawEntry]:
        budget = MAX_ARCHIVE_BYTES
        with self._open() as archive:
            for member in sorted(archive.infolist(), key=lambda m: m.filename):
                if member.is_dir():
                    continue
                name = member.filename
                unsafe = unsafe_member(name)
                if unsafe:
                    yield RawEntry("problem", name, problem=f"{name} was refused: {unsafe}.")
                    continue
                relative = name.replace("\\", "/").removeprefix("./").removeprefix(self.root)
                parts = PurePosixPath(relative).parts
                if not parts or hidden(parts) or logseq_private(parts, self.graph):
                    continue
                path = self.prefix + relative
                note = is_note(path)
                if not note and not with_attachments:
                    continue
                entry = self._read(archive, member, path, budget)
                budget -= len(entry.data)
                yield entry

    def _read(
        self, archive: zipfile.ZipFile, member: zipfile.ZipInfo, path: str, budget: int
    ) -> RawEntry:
        limit = limit_for(path)
        if member.file_size > limit:
            return RawEntry("problem", path, path, problem=too_large(path))
        if member.file_size > 2**20 and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            return RawEntry(
                "problem", path, path, problem=f"{path} was refused: it expands like a zip bomb."
            )
        try:
            handle: IO[bytes]
            with archive.open(member) as handle:
                data = handle.read(min(limit, budget) + 1)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError):
            return RawEntry(
                "problem",
                path,
                path,
                problem=f"{path} was skipped: the archive entry is damaged or encrypted.",
            )
        if len(data) > budget:
            return RawEntry(
                "problem", path, path, problem=f"{path} was refused: the archive expands too far."
            )
        if len(data) > limit:
            return RawEntry("problem", path, path, problem=too_large(path))
        stamp = datetime(*member.date_time, tzinfo=UTC)
        return RawEntry(
            "markdown" if is_note(path) else "attachment", path, path, data=data, modified=stamp
        )
