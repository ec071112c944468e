"""Ports: what the use cases need from the outside world.

`IUnitOfWork` is the seed's contract: one object that is a transaction boundary for
both sync (`with uow:` / `commit_sync()`) and async (`async with uow:` / `await commit()`)
consumers. A concrete UoW supports the flavour its driver supports.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, Concatenate, ParamSpec, Protocol, Self, TypeVar

from pkm_core.application.dto import (
    DEFAULT_TUNING,
    ChunkRecord,
    DraftRelatedQuery,
    IndexCoverage,
    NoteFilter,
    NoteSummary,
    Page,
    PageRequest,
    PreparedNote,
    RelatedCandidate,
    ScoredNote,
    SearchTuning,
    SortOrder,
    TitleMatch,
)
from pkm_core.application.vault import Attachment, ExportNote, KnownFile, VaultRecord
from pkm_core.domain.history import Draft, Revision, RevisionInfo, TrashedNote
from pkm_core.domain.link import NoteLink
from pkm_core.domain.note import Note, NoteDraft
from pkm_core.domain.project import Project
from pkm_core.domain.source import Source


class INoteRepository(Protocol):
    """Notes and everything stored with them (chunks, keywords, links). Never commits."""

    def add(self, note: NoteDraft | PreparedNote, create_token: str | None = None) -> Note:
        """Insert a note; a PreparedNote brings its chunks, vectors and links along."""
        ...

    def get(self, note_id: int) -> Note | None:
        """A live note; None for a missing one or one in the trash."""
        ...

    def get_by_create_token(self, token: str) -> Note | None: ...
    def get_by_title(self, title: str) -> Note | None: ...
    def get_by_external_id(self, external_id: str) -> Note | None: ...
    def update(
        self, note_id: int, note: NoteDraft | PreparedNote, expected_version: int
    ) -> Note: ...
    def delete(self, note_id: int, expected_version: int | None = None) -> None:
        """Delete for good (a person's delete is `trash`)."""
        ...

    def count(self) -> int: ...

    # history and trash
    def revisions(self, note_id: int) -> list[RevisionInfo]: ...
    def revision(self, note_id: int, version: int) -> Revision | None: ...
    def trash(self, note_id: int, expected_version: int | None = None) -> None: ...
    def trashed(self) -> list[TrashedNote]: ...
    def trashed_note(self, note_id: int) -> Note | None: ...
    def restore(self, note_id: int, prepared: PreparedNote) -> Note: ...
    def purge(self, note_ids: Sequence[int]) -> int: ...
    def purge_older_than(self, days: int) -> int: ...
    def linking_notes(self, note_id: int) -> list[Note]:
        """Live notes other than this one whose [[links]] point at it."""
        ...

    def titles_matching(
        self, fragment: str, limit: int, exclude_note_id: int | None = None
    ) -> list[TitleMatch]:
        """Notes whose title or alias contains `fragment`: what a `[[` being typed offers."""
        ...

    # chunks, vectors and links
    def chunks(self, note_id: int) -> list[ChunkRecord]: ...
    def replace_chunks(
        self, note_id: int, chunks: Sequence[ChunkRecord], note_embedding: Sequence[float] | None
    ) -> None: ...
    def replace_links(self, note_id: int, target_titles: Sequence[str]) -> None: ...
    def links_out(self, note_id: int) -> list[NoteLink]: ...
    def backlinks(self, note_id: int) -> list[tuple[int, str]]: ...

    # ranked retrieval: `k` rows after skipping the `offset` best; `snippet` holds the
    # passage that matched (best chunk, or the start of the body for keyword-only hits)
    def nearest_chunks(
        self,
        vector: Sequence[float],
        k: int,
        filters: NoteFilter = NoteFilter(),
        *,
        offset: int = 0,
        expected_model: str | None = None,
        tuning: SearchTuning = DEFAULT_TUNING,
        query: str = "",
    ) -> list[ScoredNote]: ...
    def keyword_rank(
        self,
        query: str,
        k: int,
        filters: NoteFilter = NoteFilter(),
        *,
        offset: int = 0,
        tuning: SearchTuning = DEFAULT_TUNING,
    ) -> list[ScoredNote]: ...
    def hybrid_rank(
        self,
        vector: Sequence[float],
        query: str,
        k: int,
        filters: NoteFilter = NoteFilter(),
        *,
        offset: int = 0,
        expected_model: str | None = None,
        tuning: SearchTuning = DEFAULT_TUNING,
    ) -> list[ScoredNote]: ...
    def nearest_notes(
        self, vector: Sequence[float], k: int, exclude_note_id: int | None = None
    ) -> list[ScoredNote]: ...
    def related_to_note(self, note_id: int, k: int) -> list[ScoredNote] | None:
        """Nearest notes to a stored note's vector, itself excluded; None if no such note."""
        ...

    def related_candidates(
        self, note_id: int, k: int, tuning: SearchTuning = DEFAULT_TUNING
    ) -> list[RelatedCandidate] | None:
        """The `k` nearest by meaning, linked notes (one or two links away) and pinned
        notes, hidden ones left out; None if no such note."""
        ...

    def closest_passages(
        self, note_id: int, other_ids: Sequence[int]
    ) -> dict[int, tuple[str, str, float]]:
        """{other: (its passage, this note's passage, similarity)}: the closest chunk pair."""
        ...

    def draft_candidates(
        self, draft: DraftRelatedQuery, k: int, tuning: SearchTuning = DEFAULT_TUNING
    ) -> list[RelatedCandidate]:
        """A draft's candidates: the `k` nearest to its vector, the notes its links name or
        that link to its title, and those two links away (the edited note left out)."""
        ...

    def closest_passages_to_draft(
        self, chunks: Sequence[tuple[str, Sequence[float]]], other_ids: Sequence[int]
    ) -> dict[int, tuple[str, str, float]]:
        """`closest_passages` for a draft: its (passage, vector) chunks against each note's."""
        ...

    def set_related_choice(self, note_id: int, other_id: int, choice: str | None) -> None: ...
    def hidden_related(self, note_id: int) -> list[tuple[int, str]]: ...

    # bulk import
    def get_by_external_ids(self, external_ids: Sequence[str]) -> list[Note]:
        """The live notes (not in the trash) with these external ids."""
        ...

    def trashed_external_ids(self, external_ids: Sequence[str]) -> set[str]: ...
    def taken_titles(self, titles: Sequence[str]) -> dict[str, str | None]:
        """{lower(title): external_id} for those of `titles` already in use."""
        ...

    def add_many(self, notes: Sequence[PreparedNote]) -> list[int]:
        """Insert notes with keywords, chunks, vectors and links; ids in input order."""
        ...

    def list(
        self, filters: NoteFilter, page: PageRequest, sort: SortOrder = SortOrder.UPDATED
    ) -> Page[NoteSummary]: ...


P = ParamSpec("P")
T = TypeVar("T")


class IAsyncNoteRepository(Protocol):
    """The async twin of `INoteRepository` (the same methods, run through `run_sync`)."""

    async def run_sync(
        self, step: Callable[Concatenate[INoteRepository, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run a use case's step, written once over the sync repository (`editing`), on
        this session's connection: `step(sync_repository, *args, **kwargs)`."""
        ...

    async def add(
        self, note: NoteDraft | PreparedNote, create_token: str | None = None
    ) -> Note: ...
    async def get(self, note_id: int) -> Note | None: ...
    async def get_by_create_token(self, token: str) -> Note | None: ...
    async def revisions(self, note_id: int) -> list[RevisionInfo]: ...
    async def revision(self, note_id: int, version: int) -> Revision | None: ...
    async def trash(self, note_id: int, expected_version: int | None = None) -> None: ...
    async def trashed(self) -> list[TrashedNote]: ...
    async def trashed_note(self, note_id: int) -> Note | None: ...
    async def restore(self, note_id: int, prepared: PreparedNote) -> Note: ...
    async def purge(self, note_ids: Sequence[int]) -> int: ...
    async def purge_older_than(self, days: int) -> int: ...
    async def linking_notes(self, note_id: int) -> list[Note]: ...
    async def get_by_title(self, title: str) -> Note | None: ...
    async def update(
        self, note_id: int, note: NoteDraft | PreparedNote, expected_version: int
    ) -> Note: ...
    async def delete(self, note_id: int, expected_version: int | None = None) -> None: ...
    async def count(self) -> int: ...
    async def chunks(self, note_id: int) -> list[ChunkRecord]: ...
    async def replace_chunks(
        self, note_id: int, chunks: Sequence[ChunkRecord], note_embedding: Sequence[float] | None
    ) -> None: ...
    async def links_out(self, note_id: int) -> list[NoteLink]: ...
    async def backlinks(self, note_id: int) -> list[tuple[int, str]]: ...
    async def nearest_chunks(
        self,
        vector: Sequence[float],
        k: int,
        filters: NoteFilter = NoteFilter(),
        *,
        offset: int = 0,
        expected_model: str | None = None,
        tuning: SearchTuning = DEFAULT_TUNING,
        query: str = "",
    ) -> list[ScoredNote]: ...
    async def keyword_rank(
        self,
        query: str,
        k: int,
        filters: NoteFilter = NoteFilter(),
        *,
        offset: int = 0,
        tuning: SearchTuning = DEFAULT_TUNING,
    ) -> list[ScoredNote]: ...
    async def hybrid_rank(
        self,
        vector: Sequence[float],
        query: str,
        k: int,
        filters: NoteFilter = NoteFilter(),
        *,
        offset: int = 0,
        expected_model: str | None = None,
        tuning: SearchTuning = DEFAULT_TUNING,
    ) -> list[ScoredNote]: ...
    async def nearest_notes(
        self, vector: Sequence[float], k: int, exclude_note_id: int | None = None
    ) -> list[ScoredNote]: ...
    async def related_to_note(self, note_id: int, k: int) -> list[ScoredNote] | None: ...
    async def related_candidates(
        self, note_id: int, k: int, tuning: SearchTuning = DEFAULT_TUNING
    ) -> list[RelatedCandidate] | None: ...
    async def closest_passages(
        self, note_id: int, other_ids: Sequence[int]
    ) -> dict[int, tuple[str, str, float]]: ...
    async def draft_candidates(
        self, draft: DraftRelatedQuery, k: int, tuning: SearchTuning = DEFAULT_TUNING
    ) -> list[RelatedCandidate]: ...
    async def closest_passages_to_draft(
        self, chunks: Sequence[tuple[str, Sequence[float]]], other_ids: Sequence[int]
    ) -> dict[int, tuple[str, str, float]]: ...
    async def set_related_choice(self, note_id: int, other_id: int, choice: str | None) -> None: ...
    async def hidden_related(self, note_id: int) -> list[tuple[int, str]]: ...
    async def list(
        self, filters: NoteFilter, page: PageRequest, sort: SortOrder = SortOrder.UPDATED
    ) -> Page[NoteSummary]: ...


class IIndexRepository(Protocol):
    """The embedding model on record and the state of the vector index. Never commits."""

    def recorded_model(self) -> tuple[str, int] | None: ...
    def record_model(self, name: str, dimension: int) -> None: ...
    def vector_dimension(self) -> int | None: ...
    def coverage(self) -> IndexCoverage: ...
    def has_vectors(self) -> bool: ...
    def reset_vectors(self, dimension: int) -> None: ...
    def notes_after(self, after_id: int, limit: int) -> list[Note]: ...
    # The HNSW indexes, dropped for a large import and built after it (vector_indexes.py).
    def missing_vector_indexes(self) -> list[str]: ...
    def drop_vector_indexes(self) -> None: ...
    def create_vector_index(self, name: str) -> None: ...


class IAsyncIndexRepository(Protocol):
    async def recorded_model(self) -> tuple[str, int] | None: ...
    async def record_model(self, name: str, dimension: int) -> None: ...
    async def vector_dimension(self) -> int | None: ...
    async def coverage(self) -> IndexCoverage: ...
    async def has_vectors(self) -> bool: ...
    async def reset_vectors(self, dimension: int) -> None: ...


class ICatalogRepository(Protocol):
    """Projects, sources and keywords: the vocabulary notes are filed under."""

    def projects(self) -> list[Project]: ...
    def add_project(self, project: Project) -> Project: ...
    def ensure_project_path(self, names: Sequence[str]) -> int | None: ...
    def ensure_source(self, source: Source) -> int: ...
    def sources(self) -> list[Source]: ...
    def add_source(self, source: Source) -> Source: ...
    def keywords(self) -> list[tuple[str, int]]: ...


class IAsyncCatalogRepository(Protocol):
    async def projects(self) -> list[Project]: ...
    async def add_project(self, project: Project) -> Project: ...
    async def ensure_project_path(self, names: Sequence[str]) -> int | None: ...
    async def ensure_source(self, source: Source) -> int: ...
    async def sources(self) -> list[Source]: ...
    async def add_source(self, source: Source) -> Source: ...
    async def keywords(self) -> list[tuple[str, int]]: ...


class IVaultRepository(Protocol):
    """Where imported notes came from, their aliases, the vault's other files. Never commits."""

    def save(self, records: Sequence[tuple[int, VaultRecord]]) -> None: ...
    def known_files(self) -> dict[str, KnownFile]: ...
    def record(self, note_id: int) -> VaultRecord | None: ...
    def attachment_hashes(self) -> dict[str, str]: ...
    def put_attachments(self, files: Sequence[Attachment]) -> None: ...
    def attachment_paths(self) -> list[str]: ...
    def attachment(self, path: str) -> Attachment | None: ...
    def attachments_named(self, targets: Sequence[str]) -> list[Attachment]: ...
    def export_batch(self, after_id: int, limit: int) -> list[ExportNote]: ...
    def link_names(self) -> dict[str, str]: ...


class IAsyncVaultRepository(Protocol):
    async def record(self, note_id: int) -> VaultRecord | None: ...
    async def attachment(self, path: str) -> Attachment | None: ...
    async def attachments_named(self, targets: Sequence[str]) -> list[Attachment]: ...


class IDraftRepository(Protocol):
    """Unsaved form contents, kept as they are typed. Never commits."""

    def save(self, draft: Draft) -> Draft: ...
    def get(self, key: str) -> Draft | None: ...
    def recent_new(self, limit: int = 5) -> list[Draft]:
        """Drafts of new notes, newest first (forms closed before saving)."""
        ...

    def discard(self, key: str) -> None: ...


class IAsyncDraftRepository(Protocol):
    async def save(self, draft: Draft) -> Draft: ...
    async def get(self, key: str) -> Draft | None: ...
    async def recent_new(self, limit: int = 5) -> list[Draft]: ...
    async def discard(self, key: str) -> None: ...


class IUnitOfWork(abc.ABC):
    """A transaction: clean exit commits, an exception rolls back. Repositories never commit."""

    # Narrowed by `ISyncUnitOfWork` / `IAsyncUnitOfWork` to the flavour's repositories.
    notes: Any
    catalog: Any
    index: Any
    vault: Any
    drafts: Any

    # sync flavour
    def __enter__(self) -> Self:
        raise TypeError(f"{type(self).__name__} is async: use `async with`.")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        raise TypeError(f"{type(self).__name__} is async: use `async with`.")

    def commit_sync(self) -> None:
        raise TypeError(f"{type(self).__name__} is async: use `await uow.commit()`.")

    def rollback_sync(self) -> None:
        raise TypeError(f"{type(self).__name__} is async: use `await uow.rollback()`.")

    # async flavour
    async def __aenter__(self) -> Self:
        raise TypeError(f"{type(self).__name__} is sync: use `with`.")

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        raise TypeError(f"{type(self).__name__} is sync: use `with`.")

    async def commit(self) -> None:
        raise TypeError(f"{type(self).__name__} is sync: use `uow.commit_sync()`.")

    async def rollback(self) -> None:
        raise TypeError(f"{type(self).__name__} is sync: use `uow.rollback_sync()`.")


class ISyncUnitOfWork(IUnitOfWork):
    """A Unit of Work for sync consumers (`with uow:`): the app, the CLI, scripts."""

    notes: INoteRepository
    catalog: ICatalogRepository
    index: IIndexRepository
    vault: IVaultRepository
    drafts: IDraftRepository


class IAsyncUnitOfWork(IUnitOfWork):
    """A Unit of Work for async consumers (`async with uow:`): the MCP server, the REST API."""

    notes: IAsyncNoteRepository
    catalog: IAsyncCatalogRepository
    index: IAsyncIndexRepository
    vault: IAsyncVaultRepository
    drafts: IAsyncDraftRepository


class IEmbedder(Protocol):
    """Turns text into normalised vectors, on this machine."""

    @property
    def model_name(self) -> str: ...
    @property
    def dimension(self) -> int: ...
    @property
    def is_loaded(self) -> bool: ...
    def load(self) -> None: ...
    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]: ...
    def embed_query(self, text: str) -> list[float]: ...
