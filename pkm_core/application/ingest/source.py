"""What a reader hands over: raw entries of a vault, a zip, uploads or a JSONL file."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal, Protocol

from pkm_core.domain.errors import KairosError

EntryKind = Literal["markdown", "attachment", "record", "problem"]


class UnsupportedImport(KairosError):
    """The path is not something Kairos can import."""


@dataclass(frozen=True, slots=True)
class RawEntry:
    """One file or JSONL line as read: bytes (markdown, attachment), a decoded JSON value
    (record), or the one sentence saying why it could not be read (problem)."""

    kind: EntryKind
    source: str  # shown in the report: a vault path, or "file.jsonl line 12"
    path: str = ""  # vault-relative POSIX path (files only)
    data: bytes = b""
    record: object = None
    problem: str = ""
    created: datetime | None = None
    modified: datetime | None = None


class ImportSource(Protocol):
    """Something that can be read twice: once to learn the names, once to import."""

    @property
    def is_vault(self) -> bool:
        """A whole vault (a folder or a zip): notes missing from it are reported."""
        ...

    def entries(self, *, with_attachments: bool) -> Iterator[RawEntry]: ...


class IImportReader(Protocol):
    def open(self, path: Path) -> ImportSource:
        """A folder, a .zip, a .jsonl or one Markdown file; UnsupportedImport otherwise."""
        ...

    def uploads(self, files: Sequence[tuple[str, bytes]]) -> ImportSource:
        """Files uploaded in the app: .md files and/or .zip archives of a vault."""
        ...
