"""The JSON shapes the MCP tools and the REST API answer with (one definition for both)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from pkm_core.application.dto import NoteSummary, Page, RelatedNote, SearchHit
from pkm_core.application.use_cases.notes import NoteView
from pkm_core.domain.project import Project


class SearchResult(BaseModel):
    id: int
    title: str
    snippet: str
    score: float
    matched_by: list[str]  # "meaning", "keywords"
    semantic_score: float | None
    keyword_score: float | None

    @classmethod
    def of(cls, hit: SearchHit) -> SearchResult:
        return cls(
            id=hit.note_id,
            title=hit.title,
            snippet=hit.snippet,
            score=hit.score,
            matched_by=list(hit.matched_by),
            semantic_score=hit.semantic_score,
            keyword_score=hit.keyword_score,
        )


class LinkOut(BaseModel):
    title: str
    id: int | None  # None: no note has that title yet


class LinkIn(BaseModel):
    id: int
    title: str


class SourceOut(BaseModel):
    title: str
    url: str | None
    author: str | None


class NoteOut(BaseModel):
    id: int
    title: str
    body: str
    keywords: list[str]
    project: str | None
    source: SourceOut | None
    created: datetime
    updated: datetime
    version: int
    links_out: list[LinkOut]
    links_in: list[LinkIn]
    relinked: list[LinkIn] = []  # after an update: the notes whose [[links]] a rename rewrote

    @classmethod
    def of(cls, view: NoteView) -> NoteOut:
        note, source = view.note, view.source
        return cls(
            id=note.id,
            title=note.title,
            body=note.body,
            keywords=list(note.keywords),
            project=view.project.name if view.project else None,
            source=SourceOut(title=source.title, url=source.url, author=source.author)
            if source
            else None,
            created=note.created_at,
            updated=note.updated_at,
            version=note.version,
            links_out=[LinkOut(title=link.title, id=link.note_id) for link in view.links_out],
            links_in=[
                LinkIn(id=link.note_id, title=link.title)
                for link in view.backlinks
                if link.note_id is not None
            ],
        )


class RelatedOut(BaseModel):
    id: int
    title: str
    score: float

    @classmethod
    def of(cls, note: RelatedNote) -> RelatedOut:
        return cls(id=note.note_id, title=note.title, score=note.similarity)


class KeywordOut(BaseModel):
    keyword: str
    notes: int


class ProjectOut(BaseModel):
    id: int
    name: str
    parent_id: int | None

    @classmethod
    def of(cls, project: Project) -> ProjectOut:
        assert project.id is not None
        return cls(id=project.id, name=project.name, parent_id=project.parent_id)


class NoteSummaryOut(BaseModel):
    id: int
    title: str
    excerpt: str
    keywords: list[str]
    project_id: int | None
    created: datetime
    updated: datetime
    version: int


class NotePage(BaseModel):
    items: list[NoteSummaryOut]
    total: int
    page: int
    size: int

    @classmethod
    def of(cls, page: Page[NoteSummary]) -> NotePage:
        items = [
            NoteSummaryOut(
                id=s.id,
                title=s.title,
                excerpt=s.excerpt,
                keywords=list(s.keywords),
                project_id=s.project_id,
                created=s.created_at,
                updated=s.updated_at,
                version=s.version,
            )
            for s in page.items
        ]
        return cls(items=items, total=page.total, page=page.page, size=page.size)


def note_markdown(view: NoteView) -> str:
    """The resource `kairos://note/{id}`: the note as markdown, its title as the heading."""
    return f"# {view.note.title}\n\n{view.note.body}"
