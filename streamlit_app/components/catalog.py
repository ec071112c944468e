"""The vocabulary notes are filed under, read once per page run as plain values."""

from __future__ import annotations

from dataclasses import dataclass, field

from pkm_core.application.use_cases.catalog import list_keywords, list_projects, list_sources
from pkm_core.bootstrap import Kairos


@dataclass(frozen=True)
class SourceInfo:
    title: str
    url: str | None
    author: str | None

    @property
    def label(self) -> str:
        return f"{self.title} — {self.author}" if self.author else self.title


@dataclass(frozen=True)
class Catalog:
    """Project names (nested ones as "Parent / Child"), sources and keyword counts."""

    projects: dict[int, str] = field(default_factory=dict)
    sources: dict[int, SourceInfo] = field(default_factory=dict)
    keywords: dict[str, int] = field(default_factory=dict)

    def project_name(self, project_id: int | None) -> str | None:
        return None if project_id is None else self.projects.get(project_id)


def _project_paths(rows: list[tuple[int, str, int | None]]) -> dict[int, str]:
    by_id = {pid: (name, parent) for pid, name, parent in rows}
    paths: dict[int, str] = {}
    for pid in by_id:
        parts: list[str] = []
        seen: set[int] = set()
        current: int | None = pid
        while current is not None and current in by_id and current not in seen:
            seen.add(current)  # a cycle would be a data error; never loop forever on it
            name, current = by_id[current]
            parts.append(name)
        paths[pid] = " / ".join(reversed(parts))
    return dict(sorted(paths.items(), key=lambda item: item[1].lower()))


def load_catalog(kairos: Kairos) -> Catalog:
    projects = list_projects(kairos.uow())
    sources = list_sources(kairos.uow())
    keywords = list_keywords(kairos.uow())
    return Catalog(
        projects=_project_paths([(p.id, p.name, p.parent_id) for p in projects if p.id]),
        sources={s.id: SourceInfo(s.title, s.url, s.author) for s in sources if s.id},
        keywords=dict(keywords),
    )
