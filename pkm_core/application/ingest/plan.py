"""The import plan: which title each file gets and where each of its links points.

Names are resolved the way Obsidian resolves them: a link with a folder matches the paths
ending with it; a bare name matches the file of that name, and when several folders hold
one, the one beside the linking note, else the shortest path; then aliases. Two files of
one name keep their file names (their vault paths); the second one's displayed title is
disambiguated with its folder ("Index (projects)"), and a title already used in Kairos by
another note gets a number ("Idea (2)").
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from pkm_core.application.ingest.parse import NOTE_SUFFIXES
from pkm_core.application.vault import KnownFile
from pkm_core.domain.markdown_scan import VaultLink
from pkm_core.domain.text import MAX_TITLE_CHARS


def _stem_path(path: str) -> str:
    pure = PurePosixPath(path)
    return str(pure.with_suffix("")) if pure.suffix.lower() in NOTE_SUFFIXES else path


def _rank(path: str) -> tuple[int, str]:
    return (path.count("/"), path.lower())


@dataclass
class VaultIndex:
    """Every note of the import by name, path and alias (learnt in a first reading)."""

    by_name: dict[str, list[str]] = field(default_factory=dict)
    by_stem_path: dict[str, str] = field(default_factory=dict)
    by_alias: dict[str, str] = field(default_factory=dict)

    def add(self, path: str, name: str, aliases: Iterable[str]) -> None:
        self.by_name.setdefault(name.lower(), []).append(path)
        self.by_stem_path[_stem_path(path).lower()] = path
        for alias in aliases:
            self.by_alias.setdefault(alias.lower(), path)

    def resolve(self, link: VaultLink, from_path: str) -> str | None:
        """The vault path a link points to, or None (a note not in the vault)."""
        target = link.target.strip().replace("\\", "/")
        if not target:
            return from_path  # [[#Heading]]: this very note
        suffix = PurePosixPath(target).suffix.lower()
        if suffix and suffix not in NOTE_SUFFIXES and not link.markdown:
            suffix = ""  # "v1.2 notes": a dot in a name, not a file type
        if suffix and suffix not in NOTE_SUFFIXES:
            return None  # an attachment
        key = _stem_path(target).lower().lstrip("/")
        if link.markdown or target.startswith("."):
            relative = posixpath.normpath(
                posixpath.join(posixpath.dirname(from_path), _stem_path(target))
            ).lower()
            if relative in self.by_stem_path:
                return self.by_stem_path[relative]
        if "/" in key:
            ends = [p for k, p in self.by_stem_path.items() if k == key or k.endswith("/" + key)]
            return min(ends, key=_rank) if ends else None
        paths = self.by_name.get(key, [])
        if len(paths) == 1:
            return paths[0]
        if paths:
            folder = posixpath.dirname(from_path)
            beside = [p for p in paths if posixpath.dirname(p) == folder]
            return (beside or sorted(paths, key=_rank))[0]
        return self.by_alias.get(key)


@dataclass(frozen=True, slots=True)
class Wanted:
    external_id: str
    title: str
    path: str | None  # vault notes only


def _free(key: str, external_id: str, taken: dict[str, str | None], used: set[str]) -> bool:
    return key not in used and (key not in taken or taken[key] == external_id)


def assign_titles(
    wanted: Sequence[Wanted],
    known: dict[str, KnownFile],
    taken_titles: Callable[[Sequence[str]], dict[str, str | None]],
) -> tuple[dict[str, str], dict[str, str]]:
    """({external id: title}, {external id: sentence for a changed title}). Files already
    imported keep their title; the rest in path order (shallowest first) get their name
    unless it is taken."""
    titles: dict[str, str] = {}
    notes: dict[str, str] = {}
    used: set[str] = set()
    for w in wanted:
        if w.path is not None and w.path in known:
            titles[w.external_id] = known[w.path].title
            used.add(known[w.path].title.lower())
    rest = sorted(
        (w for w in wanted if w.external_id not in titles),
        key=lambda w: _rank(w.path) if w.path is not None else (0, ""),
    )
    taken: dict[str, str | None] = {}
    for start in range(0, len(rest), 1000):
        taken.update(taken_titles([w.title for w in rest[start : start + 1000]]))
    for w in rest:
        title = w.title
        if not _free(title.lower(), w.external_id, taken, used):
            base = title[: MAX_TITLE_CHARS - 60]
            folder = posixpath.dirname(w.path or "")
            candidates = [f"{base} ({folder[-50:]})"] if folder else []
            n = 2
            while True:
                candidates += [f"{base} ({i})" for i in range(n, n + 20)]
                taken.update(taken_titles(candidates))
                free = [c for c in candidates if _free(c.lower(), w.external_id, taken, used)]
                if free:
                    title = free[0]
                    break
                candidates, n = [], n + 20
            notes[w.external_id] = f"the title “{w.title}” is already used; shown as “{title}”"
        used.add(title.lower())
        titles[w.external_id] = title
    return titles, notes
