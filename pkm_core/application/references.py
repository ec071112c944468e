"""How a caller names things: a note by id or exact title, a project by name, a source by URL.

Pure rules shared by the sync and async use cases (the MCP server, the REST API and the
command line all accept them).
"""

from __future__ import annotations

from collections.abc import Sequence

from pkm_core.domain.errors import InvalidNote, InvalidSearch, NoteNotFound
from pkm_core.domain.project import Project
from pkm_core.domain.source import Source

MAX_ID = 2**63 - 1  # PostgreSQL bigint

NoteRef = int | str


def note_id_or_title(ref: NoteRef) -> tuple[int | None, str | None]:
    """(id to try first, title to try next). A number is an id; a text of digits may be
    either (an id first); any other text is an exact title (case-insensitive)."""
    if isinstance(ref, bool):
        raise InvalidNote("A note is named by its id or its exact title.")
    if isinstance(ref, int):
        if not 0 < ref <= MAX_ID:
            raise NoteNotFound(ref)
        return ref, None
    text = ref.strip()
    if not text or "\x00" in text:
        raise InvalidNote("A note is named by its id or its exact title.")
    if text.isdigit() and 0 < int(text) <= MAX_ID:
        return int(text), text
    return None, text


def project_named(projects: Sequence[Project], name: str) -> Project:
    """The project called `name` (case-insensitive); InvalidSearch if none or several."""
    name = name.strip()
    found = [p for p in projects if p.name.lower() == name.lower()]
    if not found:
        raise InvalidSearch(f"No project is named “{name}” (list_projects shows them).")
    if len(found) > 1:
        raise InvalidSearch(f"Several projects are named “{name}”; rename one of them first.")
    return found[0]


def source_with_url(sources: Sequence[Source], url: str) -> Source | None:
    return next((s for s in sources if s.url == url), None)


def new_source(url: str) -> Source:
    """A source for a URL given alone: titled by the URL (validated: http(s) only)."""
    return Source(title=url.strip()[:500] or url, url=url)
