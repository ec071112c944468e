"""A vault folder (Obsidian, Logseq, plain Markdown), read file by file, never following a
link out of it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from pkm_core.application.ingest.source import RawEntry
from pkm_core.infrastructure.readers.limits import (
    hidden,
    is_note,
    limit_for,
    logseq_private,
    too_large,
)


def _time(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


class FolderSource:
    is_vault = True

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.graph = (self.root / "logseq").is_dir() and (
            (self.root / "pages").is_dir() or (self.root / "journals").is_dir()
        )

    def _paths(self) -> Iterator[tuple[str, Path]]:
        for folder, dirs, files in os.walk(self.root, followlinks=False):
            base = Path(folder)
            rel_base = base.relative_to(self.root)
            dirs[:] = sorted(
                d
                for d in dirs
                if not hidden((d,)) and not logseq_private((rel_base / d).parts, self.graph)
            )
            names = list(files) + [d for d in dirs if (base / d).is_symlink()]
            for name in sorted(names):
                if not hidden((name,)):
                    yield (rel_base / name).as_posix(), base / name

    def _check_link(self, relative: str, path: Path) -> str | None:
        try:
            target = path.resolve(strict=True)
        except (RuntimeError, OSError):
            return f"{relative} was skipped: it is a symbolic link that loops or leads nowhere."
        if not target.is_relative_to(self.root):
            return f"{relative} was refused: it is a link to a place outside the imported folder."
        if target.is_dir():
            return f"{relative} was skipped: links to folders are not followed."
        return None

    def entries(self, *, with_attachments: bool) -> Iterator[RawEntry]:
        for relative, path in self._paths():
            note = is_note(relative)
            if path.is_symlink():
                problem = self._check_link(relative, path)
                if problem:
                    if note:
                        yield RawEntry("problem", relative, relative, problem=problem)
                    continue
            if not note and not with_attachments:
                continue
            try:
                stat = path.stat()
                if stat.st_size > limit_for(relative):
                    yield RawEntry("problem", relative, relative, problem=too_large(relative))
                    continue
                with path.open("rb") as handle:
                    data = handle.read(limit_for(relative) + 1)
            except OSError as exc:
                reason = exc.strerror or "it cannot be read"
                yield RawEntry(
                    "problem", relative, relative, problem=f"{relative} was skipped: {reason}."
                )
                continue
            if len(data) > limit_for(relative):
                yield RawEntry("problem", relative, relative, problem=too_large(relative))
                continue
            yield RawEntry(
                "markdown" if note else "attachment",
                relative,
                relative,
                data=data,
                modified=_time(stat.st_mtime),
            )
