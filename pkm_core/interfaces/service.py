"""What the MCP tools and the REST endpoints do, written once: arguments -> async use
cases -> payloads. Holds no SQL and no transaction of its own."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pkm_core.application.dto import NoteFilter, PageRequest
from pkm_core.application.ports import IAsyncUnitOfWork, IEmbedder
from pkm_core.application.references import NoteRef, project_named
from pkm_core.application.use_cases import async_catalog, async_notes, async_search
from pkm_core.domain.errors import InvalidSearch
from pkm_core.domain.keyword import normalize_keywords
from pkm_core.domain.note import NoteDraft
from pkm_core.interfaces.payloads import (
    KeywordOut,
    LinkIn,
    NoteOut,
    NotePage,
    ProjectOut,
    RelatedOut,
    SearchResult,
    note_markdown,
)


class KairosService:
    def __init__(self, uow: Callable[[], IAsyncUnitOfWork], embedder: IEmbedder) -> None:
        self._uow = uow
        self._embedder = embedder

    async def _filter(self, keywords: Sequence[str], project: str | None) -> NoteFilter:
        project_id = None
        if project is not None:
            project_id = project_named(await async_catalog.list_projects(self._uow()), project).id
        return NoteFilter(keywords=normalize_keywords(list(keywords)), project_id=project_id)

    async def search(
        self,
        query: str,
        mode: str = "hybrid",
        keywords: Sequence[str] = (),
        project: str | None = None,
        limit: int = 10,
    ) -> list[SearchResult]:
        if "\x00" in query:
            raise InvalidSearch("The search contains a NUL byte (\\x00); remove it.")
        filters = await self._filter(keywords, project)
        hits = await async_search.search_notes(
            self._uow(), self._embedder, query, mode, filters, limit
        )
        return [SearchResult.of(hit) for hit in hits]

    async def get(self, note: NoteRef) -> NoteOut:
        return NoteOut.of(await async_notes.view_note(self._uow(), note))

    async def markdown(self, note: NoteRef) -> str:
        return note_markdown(await async_notes.view_note(self._uow(), note))

    async def related(
        self, note: NoteRef | None = None, text: str | None = None, limit: int = 8
    ) -> list[RelatedOut]:
        if (note is None) == (text is None):
            raise InvalidSearch("Give either a note (id or exact title) or a text, not both.")
        if note is not None:
            rows = await async_search.related_notes(self._uow(), note, limit)
        else:
            assert text is not None
            if "\x00" in text:
                raise InvalidSearch("The text contains a NUL byte (\\x00); remove it.")
            rows = await async_search.related_to_text(self._uow(), self._embedder, "", text, limit)
        return [RelatedOut.of(row) for row in rows]

    async def create(
        self,
        title: str,
        body: str = "",
        keywords: Sequence[str] = (),
        project: str | None = None,
        source_url: str | None = None,
    ) -> NoteOut:
        draft = NoteDraft(title=title, body=body, keywords=tuple(keywords))
        note = await async_notes.create_note(
            self._uow(), self._embedder, draft, project=project, source_url=source_url
        )
        return await self.get(note.id)

    async def update(
        self,
        note: NoteRef,
        expected_version: int,
        title: str | None = None,
        body: str | None = None,
        keywords: Sequence[str] | None = None,
    ) -> NoteOut:
        changes = async_notes.NoteChanges(
            title, body, None if keywords is None else tuple(keywords)
        )
        saved = await async_notes.edit_note(
            self._uow(), self._embedder, note, expected_version, changes
        )
        out = await self.get(saved.note.id)
        relinked = [LinkIn(id=n.note_id, title=n.title) for n in saved.relinked if n.note_id]
        return out.model_copy(update={"relinked": relinked})

    async def delete(self, note: NoteRef, expected_version: int | None = None) -> None:
        found = await async_notes.get_note(self._uow(), note)
        await async_notes.delete_note(self._uow(), found.id, expected_version)

    async def list_notes(
        self,
        page: int = 1,
        size: int = 20,
        keywords: Sequence[str] = (),
        project: str | None = None,
    ) -> NotePage:
        filters = await self._filter(keywords, project)
        request = PageRequest(page=max(page, 1), size=min(max(size, 1), 200))
        return NotePage.of(await async_notes.list_notes(self._uow(), filters, request))

    async def keywords(self) -> list[KeywordOut]:
        rows = await async_catalog.list_keywords(self._uow())
        return [KeywordOut(keyword=name, notes=uses) for name, uses in rows]

    async def projects(self) -> list[ProjectOut]:
        return [ProjectOut.of(p) for p in await async_catalog.list_projects(self._uow())]
