"""Domain errors: each carries one sentence a person can act on."""

from __future__ import annotations


class KairosError(Exception):
    """Base class of every error Kairos reports to a person."""


class InvalidNote(KairosError):
    """A note (or one of its parts) breaks a rule: empty title, too large, NUL bytes..."""


class InvalidSearch(KairosError):
    """A search asked for something that does not exist (an unknown mode, project...)."""


class NoteNotFound(KairosError):
    def __init__(self, note_id: int | str) -> None:
        if isinstance(note_id, str):  # asked for by title
            super().__init__(f"No note is titled “{note_id}”.")
        else:
            super().__init__(f"Note {note_id} does not exist (it may have been deleted).")
        self.note_id = note_id


class DuplicateTitle(KairosError):
    def __init__(self, title: str) -> None:
        super().__init__(f"A note titled “{title}” already exists; choose another title.")
        self.title = title


class VersionConflict(KairosError):
    """The note changed since it was read: the second save is told, never silently applied."""

    def __init__(self, note_id: int, expected: int, actual: int) -> None:
        super().__init__(
            f"Note {note_id} was changed elsewhere (you edited version {expected}, "
            f"it is now at version {actual}); nothing was overwritten."
        )
        self.note_id = note_id
        self.expected = expected
        self.actual = actual


class EmbeddingModelMismatch(KairosError):
    """The database holds vectors of another model: mixing them would corrupt search."""

    def __init__(self, stored: str, stored_dim: int, configured: str, configured_dim: int) -> None:
        super().__init__(
            f"The database holds vectors of “{stored}” ({stored_dim} dimensions) but the "
            f"configured model is “{configured}” ({configured_dim} dimensions); run "
            f"`kairos reindex` to re-embed every note with the new model."
        )
        self.stored = stored
        self.configured = configured


class StorageUnavailable(KairosError):
    """The database cannot be reached."""
