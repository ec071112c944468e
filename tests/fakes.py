"""(Over 250 lines: one in-memory twin per port, kept together.)

Fakes for unit tests (and for the UI tests' embedder): deterministic, no I/O."""

from __future__ import annotations

import hashlib
import itertools
import math
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Self

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
from pkm_core.application.fusion import fuse
from pkm_core.application.ports import ISyncUnitOfWork
from pkm_core.application.vault import Attachment, KnownFile, VaultRecord
from pkm_core.domain.errors import AlreadyCreated, DuplicateTitle, NoteNotFound, VersionConflict
from pkm_core.domain.history import Draft, Revision, RevisionInfo, TrashedNote
from pkm_core.domain.link import NoteLink
from pkm_core.domain.note import Note, NoteDraft

_WORD = re.compile(r"\w+")


class FakeEmbedder:
    """Bag-of-words hashed into `dimension` buckets, normalised.

    Texts that share words are close, texts that share none are orthogonal: enough to test
    ranking and plumbing without the real model. `calls` counts the texts embedded.
    """

    def __init__(self, dimension: int = 384, model_name: str = "fake-bag-of-words") -> None:
        self._dimension = dimension
        self._model_name = model_name
        self.calls: list[str] = []

    @property
    def model_name(self) -> str:
        return self._model_name

    @property
    def dimension(self) -> int:
        return self._dimension

    @property
    def is_loaded(self) -> bool:
        return True

    def load(self) -> None:
        return None

    def _vector(self, text: str) -> list[float]:
        vector = [0.0] * self._dimension
        for word in _WORD.findall(text.lower()):
            bucket = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "big")
            vector[bucket % self._dimension] += 1.0
        norm = math.sqrt(sum(v * v for v in vector))
        if norm == 0:
            vector[0], norm = 1.0, 1.0
        return [v / norm for v in vector]

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls.extend(texts)
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


class FakeNoteRepository:
    """In-memory INoteRepository. Keyword rank = number of query words found."""

    def __init__(self) -> None:
        self.notes: dict[int, Note] = {}
        self.chunk_store: dict[int, list[ChunkRecord]] = {}
        self.note_vectors: dict[int, list[float] | None] = {}
        self.links: dict[int, tuple[str, ...]] = {}
        self.tokens: dict[str, int] = {}
        self.history: dict[int, list[Revision]] = {}
        self.trash_bin: dict[int, tuple[Note, datetime]] = {}
        self.choices: dict[int, dict[int, str]] = {}  # note -> {other: "pinned" | "hidden"}
        self._ids = itertools.count(1)

    def _check_title(self, title: str, note_id: int | None) -> None:
        for other in list(self.notes.values()):
            if other.title.lower() == title.lower() and other.id != note_id:
                raise DuplicateTitle(title)

    def add(self, note: NoteDraft | PreparedNote, create_token: str | None = None) -> Note:
        draft = note.draft if isinstance(note, PreparedNote) else note
        if create_token is not None and create_token in self.tokens:
            raise AlreadyCreated()
        self._check_title(draft.title, None)
        now = datetime.now(UTC)
        stored = Note(
            **draft.model_dump(), id=next(self._ids), version=1, created_at=now, updated_at=now
        )
        self.notes[stored.id] = stored
        if create_token is not None:
            self.tokens[create_token] = stored.id
        if isinstance(note, PreparedNote):
            self._store_index(stored.id, note)
        return stored

    def get_by_create_token(self, token: str) -> Note | None:
        return self.notes.get(self.tokens.get(token, -1))

    def _store_index(self, note_id: int, prepared: PreparedNote) -> None:
        self.replace_chunks(note_id, prepared.chunks, prepared.embedding)
        self.replace_links(note_id, prepared.links)

    def get(self, note_id: int) -> Note | None:
        return self.notes.get(note_id)

    def get_by_title(self, title: str) -> Note | None:
        return next((n for n in self.notes.values() if n.title.lower() == title.lower()), None)

    def get_by_external_id(self, external_id: str) -> Note | None:
        return next((n for n in self.notes.values() if n.external_id == external_id), None)

    def update(self, note_id: int, note: NoteDraft | PreparedNote, expected_version: int) -> Note:
        draft = note.draft if isinstance(note, PreparedNote) else note
        current = self.notes.get(note_id)
        if current is None:
            raise NoteNotFound(note_id)
        if current.version != expected_version:
            raise VersionConflict(note_id, expected_version, current.version)
        self._check_title(draft.title, note_id)
        self.history.setdefault(note_id, []).append(
            Revision(
                note_id=note_id,
                version=current.version,
                title=current.title,
                body=current.body,
                keywords=current.keywords,
                project_id=current.project_id,
                source_id=current.source_id,
                saved_at=current.updated_at,
            )
        )
        stored = Note(
            **draft.model_dump(),
            id=note_id,
            version=current.version + 1,
            created_at=current.created_at,
            updated_at=datetime.now(UTC),
        )
        self.notes[note_id] = stored
        if isinstance(note, PreparedNote):
            self._store_index(note_id, note)
        return stored

    def delete(self, note_id: int, expected_version: int | None = None) -> None:
        current = self.notes.get(note_id)
        if current is None:
            raise NoteNotFound(note_id)
        if expected_version is not None and current.version != expected_version:
            raise VersionConflict(note_id, expected_version, current.version)
        del self.notes[note_id]
        self.chunk_store.pop(note_id, None)
        self.note_vectors.pop(note_id, None)
        self.links.pop(note_id, None)
        self.history.pop(note_id, None)

    def revisions(self, note_id: int) -> list[RevisionInfo]:
        note = self.notes.get(note_id) or self.trash_bin.get(note_id, (None, None))[0]
        if note is None:
            return []
        older = sorted(self.history.get(note_id, []), key=lambda r: -r.version)
        return [
            RevisionInfo(
                version=note.version, title=note.title, saved_at=note.updated_at, current=True
            ),
            *(RevisionInfo(version=r.version, title=r.title, saved_at=r.saved_at) for r in older),
        ]

    def revision(self, note_id: int, version: int) -> Revision | None:
        note = self.notes.get(note_id)
        if note is not None and note.version == version:
            return Revision.of_current(note)
        return next((r for r in self.history.get(note_id, []) if r.version == version), None)

    def trash(self, note_id: int, expected_version: int | None = None) -> None:
        current = self.notes.get(note_id)
        if current is None:
            raise NoteNotFound(note_id)
        if expected_version is not None and current.version != expected_version:
            raise VersionConflict(note_id, expected_version, current.version)
        self.trash_bin[note_id] = (self.notes.pop(note_id), datetime.now(UTC))
        self.chunk_store.pop(note_id, None)
        self.note_vectors.pop(note_id, None)

    def trashed(self) -> list[TrashedNote]:
        return [
            TrashedNote(
                id=n.id, title=n.title, excerpt=n.body[:200], version=n.version, deleted_at=at
            )
            for n, at in sorted(self.trash_bin.values(), key=lambda item: item[1], reverse=True)
        ]

    def trashed_note(self, note_id: int) -> Note | None:
        return self.trash_bin.get(note_id, (None, None))[0]

    def restore(self, note_id: int, prepared: PreparedNote) -> Note:
        if note_id not in self.trash_bin:
            raise NoteNotFound(note_id)
        note, _ = self.trash_bin[note_id]
        self._check_title(note.title, note_id)
        del self.trash_bin[note_id]
        self.notes[note_id] = note
        self._store_index(note_id, prepared)
        return note

    def purge(self, note_ids: Sequence[int]) -> int:
        gone = [i for i in note_ids if self.trash_bin.pop(i, None) is not None]
        for i in gone:
            self.links.pop(i, None)
            self.history.pop(i, None)
        return len(gone)

    def purge_older_than(self, days: int) -> int:
        cutoff = datetime.now(UTC) - timedelta(days=days)
        return self.purge([i for i, (_, at) in self.trash_bin.items() if at < cutoff])

    def linking_notes(self, note_id: int) -> list[Note]:
        title = self.notes[note_id].title.lower()
        return [
            self.notes[i]
            for i, targets in sorted(self.links.items())
            if i in self.notes and i != note_id and any(t.lower() == title for t in targets)
        ]

    def titles_matching(
        self, fragment: str, limit: int, exclude_note_id: int | None = None
    ) -> list[TitleMatch]:
        key = " ".join(fragment.split()).lower()
        notes = [n for n in self.notes.values() if n.id != exclude_note_id]
        if not key:
            notes.sort(key=lambda n: (n.updated_at, n.id), reverse=True)
            return [TitleMatch(n.id, n.title) for n in notes[:limit]]
        hits = [n for n in notes if key in n.title.lower()]
        hits.sort(key=lambda n: (n.title.lower() != key, not n.title.lower().startswith(key)))
        return [TitleMatch(n.id, n.title) for n in hits[:limit]]

    def _matches(self, note: Note, filters: NoteFilter) -> bool:
        if any(k not in note.keywords for k in filters.keywords):
            return False
        if filters.project_id is not None and note.project_id != filters.project_id:
            return False
        if filters.created_from and note.created_at < filters.created_from:
            return False
        if filters.created_to and note.created_at > filters.created_to:
            return False
        if filters.updated_from and note.updated_at < filters.updated_from:
            return False
        return not (filters.updated_to and note.updated_at > filters.updated_to)

    def count(self) -> int:
        return len(self.notes)

    def chunks(self, note_id: int) -> list[ChunkRecord]:
        return list(self.chunk_store.get(note_id, []))

    def replace_chunks(
        self, note_id: int, chunks: Sequence[ChunkRecord], note_embedding: Sequence[float] | None
    ) -> None:
        self.chunk_store[note_id] = list(chunks)
        self.note_vectors[note_id] = None if note_embedding is None else list(note_embedding)

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
    ) -> list[ScoredNote]:
        best: dict[int, ScoredNote] = {}
        for note_id, records in self.chunk_store.items():
            note = self.notes[note_id]
            if not self._matches(note, filters):
                continue
            for record in records:
                if record.embedding is None:
                    continue
                score = _cosine(vector, record.embedding)
                if note_id not in best or score > best[note_id].score:
                    best[note_id] = ScoredNote(
                        note_id, note.title, score, record.text, semantic_score=score
                    )
        return sorted(best.values(), key=lambda s: (-s.score, s.note_id))[offset : offset + k]

    def keyword_rank(
        self,
        query: str,
        k: int,
        filters: NoteFilter = NoteFilter(),
        *,
        offset: int = 0,
        tuning: SearchTuning = DEFAULT_TUNING,
    ) -> list[ScoredNote]:
        words = set(_WORD.findall(query.lower()))
        scored = []
        for note in self.notes.values():
            if not self._matches(note, filters):
                continue
            found = words & set(_WORD.findall(f"{note.title} {note.body}".lower()))
            if found:
                score = float(len(found))
                scored.append(
                    ScoredNote(
                        note.id,
                        note.title,
                        score,
                        note.body[:200],
                        keyword_score=score,
                        keyword_ceiling=float(len(words)),  # every query word found
                    )
                )
        return sorted(scored, key=lambda s: (-s.score, s.note_id))[offset : offset + k]

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
    ) -> list[ScoredNote]:
        depth = max(tuning.candidates, offset + k)
        fused = fuse(
            self.nearest_chunks(vector, depth, filters),
            self.keyword_rank(query, depth, filters),
            tuning,
        )
        return fused[offset : offset + k]

    def related_to_note(self, note_id: int, k: int) -> list[ScoredNote] | None:
        if note_id not in self.notes:
            return None
        vector = self.note_vectors.get(note_id)
        return [] if vector is None else self.nearest_notes(vector, k, exclude_note_id=note_id)

    def related_candidates(
        self, note_id: int, k: int, tuning: SearchTuning = DEFAULT_TUNING
    ) -> list[RelatedCandidate] | None:
        """Nearest by meaning and pinned notes, hidden ones left out (no links here)."""
        if note_id not in self.notes:
            return None
        vector = self.note_vectors.get(note_id)
        near = [] if vector is None else self.nearest_notes(vector, k, exclude_note_id=note_id)
        choices = self.choices.get(note_id, {})
        found = {r.note_id: r.score for r in near}
        for other, choice in choices.items():
            if choice == "pinned" and other not in found:
                other_vector = self.note_vectors.get(other)
                found[other] = _cosine(vector, other_vector) if vector and other_vector else 0.0
        return [
            RelatedCandidate(i, self.notes[i].title, score, pinned=choices.get(i) == "pinned")
            for i, score in found.items()
            if choices.get(i) != "hidden"
        ]

    def closest_passages(
        self, note_id: int, other_ids: Sequence[int]
    ) -> dict[int, tuple[str, str, float]]:
        return {}

    def draft_candidates(
        self, draft: DraftRelatedQuery, k: int, tuning: SearchTuning = DEFAULT_TUNING
    ) -> list[RelatedCandidate]:
        """Nearest by meaning, with the keywords they share (no links here)."""
        near = self.nearest_notes(draft.vector, k, exclude_note_id=draft.exclude_note_id)
        mine = set(draft.keywords)
        found = []
        for r in near:
            theirs = set(self.notes[r.note_id].keywords)
            found.append(
                RelatedCandidate(
                    r.note_id,
                    r.title,
                    r.score,
                    shared_keywords=tuple(sorted(mine & theirs)),
                    keyword_union=len(mine | theirs),
                )
            )
        return found

    def closest_passages_to_draft(
        self, chunks: Sequence[tuple[str, Sequence[float]]], other_ids: Sequence[int]
    ) -> dict[int, tuple[str, str, float]]:
        return {}

    def set_related_choice(self, note_id: int, other_id: int, choice: str | None) -> None:
        mine = self.choices.setdefault(note_id, {})
        if choice is None:
            mine.pop(other_id, None)
        else:
            mine[other_id] = choice

    def hidden_related(self, note_id: int) -> list[tuple[int, str]]:
        hidden = [i for i, c in self.choices.get(note_id, {}).items() if c == "hidden"]
        return sorted(((i, self.notes[i].title) for i in hidden), key=lambda x: x[1])

    def get_by_external_ids(self, external_ids: Sequence[str]) -> list[Note]:
        wanted = set(external_ids)
        return [n for n in list(self.notes.values()) if n.external_id in wanted]

    def trashed_external_ids(self, external_ids: Sequence[str]) -> set[str]:
        wanted = set(external_ids)
        return {
            n.external_id
            for n, _at in self.trash_bin.values()
            if n.external_id and n.external_id in wanted
        }

    def taken_titles(self, titles: Sequence[str]) -> dict[str, str | None]:
        wanted = {t.lower() for t in titles}
        # list(): the import's writer thread may be adding notes meanwhile
        notes = list(self.notes.values())
        return {n.title.lower(): n.external_id for n in notes if n.title.lower() in wanted}

    def add_many(self, notes: Sequence[PreparedNote]) -> list[int]:
        return [self.add(prepared).id for prepared in notes]

    def nearest_notes(
        self, vector: Sequence[float], k: int, exclude_note_id: int | None = None
    ) -> list[ScoredNote]:
        scored = [
            ScoredNote(i, self.notes[i].title, _cosine(vector, v), self.notes[i].body[:200])
            for i, v in self.note_vectors.items()
            if v is not None and i != exclude_note_id
        ]
        return sorted(scored, key=lambda s: (-s.score, s.note_id))[:k]

    def replace_links(self, note_id: int, target_titles: Sequence[str]) -> None:
        self.links[note_id] = tuple(target_titles)

    def links_out(self, note_id: int) -> list[NoteLink]:
        return [
            NoteLink(
                source_note_id=note_id,
                target_title=t,
                target_note_id=getattr(self.get_by_title(t), "id", None),
            )
            for t in self.links.get(note_id, ())
        ]

    def backlinks(self, note_id: int) -> list[tuple[int, str]]:
        title = self.notes[note_id].title.lower()
        return [
            (i, self.notes[i].title)
            for i, targets in self.links.items()
            if i in self.notes and i != note_id and any(t.lower() == title for t in targets)
        ]

    def list(
        self, filters: NoteFilter, page: PageRequest, sort: SortOrder = SortOrder.UPDATED
    ) -> Page[NoteSummary]:
        keys = {
            SortOrder.UPDATED: lambda n: (n.updated_at, n.id),
            SortOrder.CREATED: lambda n: (n.created_at, n.id),
            SortOrder.TITLE: lambda n: (n.title.lower(), n.id),
        }
        found = sorted(
            (n for n in self.notes.values() if self._matches(n, filters)),
            key=keys[sort],
            reverse=sort is not SortOrder.TITLE,
        )
        items = [
            NoteSummary(
                n.id,
                n.title,
                n.body[:200],
                n.keywords,
                n.project_id,
                n.created_at,
                n.updated_at,
                n.version,
            )
            for n in found[page.offset : page.offset + page.size]
        ]
        return Page(items=items, total=len(found), page=page.page, size=page.size)


VECTOR_INDEXES = ("ix_note_chunks_embedding_hnsw", "ix_notes_embedding_hnsw")


class FakeIndexRepository:
    """In-memory IIndexRepository: the model on record and the vectors' dimension."""

    def __init__(self, notes: FakeNoteRepository, dimension: int = 384) -> None:
        self._notes = notes
        self.model: tuple[str, int] | None = None
        self.dimension = dimension
        self.vector_indexes = set(VECTOR_INDEXES)  # the HNSW indexes present

    def recorded_model(self) -> tuple[str, int] | None:
        return self.model

    def record_model(self, name: str, dimension: int) -> None:
        self.model = (name, dimension)

    def vector_dimension(self) -> int | None:
        return self.dimension

    def coverage(self) -> IndexCoverage:
        return IndexCoverage(
            notes=len(self._notes.notes),
            chunks=sum(len(c) for c in self._notes.chunk_store.values()),
            notes_without_vectors=sum(
                1 for i in self._notes.notes if self._notes.note_vectors.get(i) is None
            ),
        )

    def has_vectors(self) -> bool:
        return any(v is not None for v in self._notes.note_vectors.values())

    def reset_vectors(self, dimension: int) -> None:
        self.dimension = dimension
        for note_id, records in self._notes.chunk_store.items():
            self._notes.chunk_store[note_id] = [
                ChunkRecord(r.ordinal, r.text, r.content_hash, None) for r in records
            ]
            self._notes.note_vectors[note_id] = None

    def notes_after(self, after_id: int, limit: int) -> list[Note]:
        return [self._notes.notes[i] for i in sorted(self._notes.notes) if i > after_id][:limit]

    def missing_vector_indexes(self) -> list[str]:
        return [name for name in VECTOR_INDEXES if name not in self.vector_indexes]

    def drop_vector_indexes(self) -> None:
        self.vector_indexes.clear()

    def create_vector_index(self, name: str) -> None:
        self.vector_indexes.add(name)


class FakeVaultRepository:
    """In-memory vault side: records by note id, attachments by path."""

    def __init__(self, notes: FakeNoteRepository) -> None:
        self._notes = notes
        self.records: dict[int, VaultRecord] = {}
        self.files: dict[str, Attachment] = {}

    def save(self, records: Sequence[tuple[int, VaultRecord]]) -> None:
        self.records.update(records)

    def known_files(self) -> dict[str, KnownFile]:
        found = {}
        for i, r in list(self.records.items()):
            trashed = i not in self._notes.notes
            note = self._notes.trash_bin[i][0] if trashed else self._notes.notes[i]
            found[r.path] = KnownFile(i, note.title, r.file_hash, trashed)
        return found

    def record(self, note_id: int) -> VaultRecord | None:
        return self.records.get(note_id)

    def attachment_hashes(self) -> dict[str, str]:
        return {p: f.sha256 for p, f in self.files.items()}

    def put_attachments(self, files: Sequence[Attachment]) -> None:
        self.files.update((f.path, f) for f in files)


class FakeCatalogRepository:
    """Projects by folder path (only what the import needs)."""

    def __init__(self) -> None:
        self.paths: dict[tuple[str, ...], int] = {}

    def ensure_project_path(self, names: Sequence[str]) -> int | None:
        key = tuple(n.lower() for n in names)
        return self.paths.setdefault(key, len(self.paths) + 1) if key else None

    def ensure_source(self, source: object) -> int:
        return 1


class FakeDraftRepository:
    """In-memory IDraftRepository."""

    def __init__(self) -> None:
        self.drafts: dict[str, Draft] = {}

    def save(self, draft: Draft) -> Draft:
        stored = draft.model_copy(update={"saved_at": datetime.now(UTC)})
        self.drafts[draft.key] = stored
        return stored

    def get(self, key: str) -> Draft | None:
        return self.drafts.get(key)

    def recent_new(self, limit: int = 5) -> list[Draft]:
        found = [d for d in self.drafts.values() if d.key.startswith("new:")]
        return sorted(found, key=lambda d: d.saved_at or datetime.min, reverse=True)[:limit]

    def discard(self, key: str) -> None:
        self.drafts.pop(key, None)


class FakeUnitOfWork(ISyncUnitOfWork):
    """Commits are recorded, not performed; state is shared across `with` blocks."""

    def __init__(
        self,
        notes: FakeNoteRepository | None = None,
        index: FakeIndexRepository | None = None,
        vault: FakeVaultRepository | None = None,
        catalog: FakeCatalogRepository | None = None,
        drafts: FakeDraftRepository | None = None,
    ) -> None:
        self.notes = notes or FakeNoteRepository()
        self.index = index or FakeIndexRepository(self.notes)
        self.vault = vault or FakeVaultRepository(self.notes)  # type: ignore[assignment]
        self.catalog = catalog or FakeCatalogRepository()  # type: ignore[assignment]
        self.drafts = drafts or FakeDraftRepository()
        self.committed = 0
        self.rolled_back = 0
        self.open = False

    def __enter__(self) -> Self:
        assert not self.open, "a use case opened the unit of work twice"
        self.open = True
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.open = False
        if exc_type is None:
            self.commit_sync()
        else:
            self.rollback_sync()

    def commit_sync(self) -> None:
        self.committed += 1

    def rollback_sync(self) -> None:
        self.rolled_back += 1

    def factory(self) -> Callable[[], FakeUnitOfWork]:
        """Units of work over this one's repositories, one per call (as a real factory
        gives), so that concurrent use (the bulk import's writer thread) is allowed."""
        return lambda: FakeUnitOfWork(
            self.notes,
            self.index,
            self.vault,  # type: ignore[arg-type]
            self.catalog,  # type: ignore[arg-type]
            self.drafts,
        )
