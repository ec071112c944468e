"""The vault model as it crosses the application boundary: plain, immutable records.

A vault note remembers its path (never changed), its file name (its name for links), the
exact text before its body, its properties in order, its line ending, the hash of the file
it was read from, and the values Kairos manages as they were read (`managed`: `tags` as a
list or a string, `source`, `created`, `updated` with their YAML type), so that an export
writes them back in the same form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class VaultRecord:
    path: str  # relative POSIX path in the vault, with its suffix
    name: str  # the file name without its suffix: what [[links]] find it by
    aliases: tuple[str, ...] = ()
    head: str = ""  # text before the body, exactly as in the file
    properties: list[Any] = field(default_factory=list)  # [[key, typed value], …] in order
    newline: str = "\n"
    line_endings: str = ""  # one code per line break (n, r = CRLF, c = CR) when mixed
    file_hash: str = ""
    import_hash: str = ""  # the note's content hash when it was imported
    managed: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class KnownFile:
    """A vault path already stored: which note, under which title, from which file."""

    note_id: int
    title: str
    file_hash: str
    trashed: bool = False  # its note is in the trash


@dataclass(frozen=True, slots=True)
class Attachment:
    path: str
    sha256: str
    size: int
    media_type: str
    data: bytes = b""

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")


@dataclass(frozen=True, slots=True)
class ExportNote:
    """A note with everything its export needs."""

    note_id: int
    title: str
    body: str
    keywords: tuple[str, ...]
    content_hash: str
    created_at: datetime
    updated_at: datetime
    project_path: tuple[str, ...] = ()
    source_url: str | None = None
    source_title: str | None = None
    vault: VaultRecord | None = None
