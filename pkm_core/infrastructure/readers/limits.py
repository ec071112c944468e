"""What a reader accepts: sizes, safe paths, and the folders a vault keeps to itself."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from pkm_core.domain.text import MAX_BODY_CHARS

NOTE_SUFFIXES = (".md", ".markdown")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
# A note file larger than this cannot become a note (UTF-8 takes at most 4 bytes a
# character); reading stops there, which also defuses zip bombs.
MAX_NOTE_BYTES = 4 * MAX_BODY_CHARS + 64_000
MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
MAX_ARCHIVE_BYTES = 4 * 1024 * 1024 * 1024  # everything a zip may expand to
MAX_RATIO = 200  # uncompressed / compressed for a member over 1 MiB: a zip bomb


def is_note(path: str) -> bool:
    return PurePosixPath(path).suffix.lower() in NOTE_SUFFIXES


def limit_for(path: str) -> int:
    return MAX_NOTE_BYTES if is_note(path) else MAX_ATTACHMENT_BYTES


def too_large(path: str) -> str:
    if is_note(path):
        return (
            f"{path} was skipped: it is larger than a note may be ({MAX_BODY_CHARS:,} characters)."
        )
    return f"{path} was skipped: attachments are limited to {MAX_ATTACHMENT_BYTES // 2**20} MiB."


def hidden(parts: tuple[str, ...]) -> bool:
    """`.obsidian/`, `.trash/`, `.git/`, any dot folder or dot file."""
    return any(part.startswith(".") for part in parts)


def logseq_private(parts: tuple[str, ...], is_graph: bool) -> bool:
    """Logseq keeps its configuration, backups and recycle bin under `logseq/`."""
    return is_graph and bool(parts) and parts[0] == "logseq"


def unsafe_member(name: str) -> str | None:
    """Why a zip member name must not be used as a path, or None when it is safe."""
    normalised = name.replace("\\", "/")
    if normalised.startswith("/") or re.match(r"^[A-Za-z]:", normalised):
        return "its path is absolute"
    if ".." in normalised.split("/"):
        return "its path climbs out of the archive (..)"
    if "\x00" in normalised:
        return "its name contains a NUL byte"
    return None
