"""Data handed across the application boundary: plain, immutable, never ORM objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Generic, TypeVar

from pkm_core.application.vault import VaultRecord
from pkm_core.domain.note import NoteDraft

T = TypeVar("T")


class SortOrder(StrEnum):
    UPDATED = "updated"
    CREATED = "created"
    TITLE = "title"


class SearchMode(StrEnum):
    HYBRID = "hybrid"
    SEMANTIC = "semantic"
    KEYWORD = "keyword"


@dataclass(frozen=True, slots=True)
class NoteFilter:
    """Narrows a listing or a search. Empty filter = everything."""

    keywords: tuple[str, ...] = ()  # a note must carry all of them
    project_id: int | None = None  # this project or any project nested inside it
    created_from: datetime | None = None
    created_to: datetime | None = None
    updated_from: datetime | None = None
    updated_to: datetime | None = None

    @property
    def is_empty(self) -> bool:
        return self == NoteFilter()


@dataclass(frozen=True, slots=True)
class PageRequest:
    page: int = 1  # 1-based
    size: int = 20

    @property
    def offset(self) -> int:
        return (max(self.page, 1) - 1) * self.size


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


@dataclass(frozen=True, slots=True)
class NoteSummary:
    id: int
    title: str
    excerpt: str
    keywords: tuple[str, ...]
    project_id: int | None
    created_at: datetime
    updated_at: datetime
    version: int


@dataclass(frozen=True, slots=True)
class ChunkRecord:
    """A stored chunk with its vector, as the repository hands it over."""

    ordinal: int
    text: str
    content_hash: str
    embedding: list[float] | None


@dataclass(frozen=True, slots=True)
class IndexCoverage:
    notes: int
    chunks: int
    notes_without_vectors: int  # never embedded, or emptied by a model change


@dataclass(frozen=True, slots=True)
class ScoredNote:
    """One row of a ranked list from the repository (before use cases shape it)."""

    note_id: int
    title: str
    score: float
    snippet: str = ""
    semantic_score: float | None = None
    keyword_score: float | None = None
    exact: bool = False  # the title (or an alias) is the query
    keyword_ceiling: float | None = None  # keyword rows: the query's highest possible BM25
    language: str = "english"  # the note's text search configuration


@dataclass(frozen=True, slots=True)
class SearchTuning:
    """The knobs of ranked search. The defaults were tuned on BEIR SciFact (docs/SEARCH.md)."""

    fusion: str = "minmax"  # "minmax": convex combination of the two sides' parts; "rrf"
    semantic_weight: float = 0.5  # minmax: the semantic side's share
    # The semantic part: "calibrated" (similarity over fixed bounds) or per-query "minmax".
    semantic_scale: str = "calibrated"
    similarity_low: float = 0.20  # calibrated: this similarity and below count 0
    similarity_high: float = 0.55  # calibrated: this similarity and above count 1
    # The keyword part: "ceiling" (BM25 over the query's highest possible score) or "minmax".
    keyword_scale: str = "ceiling"
    keyword_ceiling_share: float = 0.5  # ceiling: the share a complete match reaches
    keyword_exponent: float = 2.0  # ceiling: a partial match counts (its share) ** this
    background_docs: float = 1000.0  # IDF blended with this many background documents
    # The absolute parts weigh C / (N + C) against per-query min-max (N notes); 0: min-max.
    calibration_docs: float = 1000.0
    rrf_k: int = 60
    candidates: int = 50  # depth of each list before fusion (deeper pages read deeper)
    chunks_per_note: int = 3  # chunks read from HNSW per note wanted (best chunk wins)
    ef_search: int = 400  # HNSW candidate list (recall@10 0.956 at 100k notes); >= chunks read
    related_ef_search: int = 100  # related notes: one vector per note, recall 0.96 at 100k
    bm25_k1: float = 0.9
    bm25_b: float = 0.4
    title_weight: float = 2.0  # a title word counts as this many body words
    prefix_expansions: int = 8  # vocabulary terms an unfinished last word may become
    postings_per_term: int = 1000  # best postings read per query term (impact order)
    exact_filter_limit: int = 5000  # a filter matching at most this many notes: exact kNN
    # A filter passing more than this share of the notes is tested by one index probe per
    # chunk or posting the search reaches, not materialized and hashed: at 100k notes
    # probing was 20 ms faster at 60 %, a tie or slower at 30 % (docs/PERFORMANCE.md).
    probe_filter_share: float = 0.4
    # Below these similarities a result is a weak match (hidden behind "show weaker
    # matches"): calibrated on SciFact and on a labelled set of short notes (SEARCH.md).
    meaning_floor: float = 0.25
    related_floor: float = 0.20
    # Related notes: relatedness = similarity + link_weight · link + keyword_weight · the
    # Jaccard share of keywords (a two-step link counts half a direct one).
    related_link_weight: float = 0.15
    related_keyword_weight: float = 0.30


DEFAULT_TUNING = SearchTuning()


@dataclass(frozen=True, slots=True)
class PreparedNote:
    """A new note with everything stored beside it, ready for a bulk insert."""

    draft: NoteDraft
    chunks: tuple[ChunkRecord, ...]
    embedding: list[float] | None  # normalised mean of the chunk vectors
    links: tuple[str, ...] = ()
    vault: VaultRecord | None = None  # where an imported vault note came from


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What a bulk import did. `skipped`, `warnings` and `vanished` hold (file or line, one
    sentence); `files` is the per-file outcome: (file, "imported" | "updated" |
    "unchanged" | "skipped", reason or "")."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    skipped_items: tuple[tuple[str, str], ...] = ()
    warnings: tuple[tuple[str, str], ...] = ()
    vanished: tuple[tuple[str, str], ...] = ()
    files: tuple[tuple[str, str, str], ...] = ()
    attachments: int = 0
    cancelled: bool = False

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.skipped


@dataclass(frozen=True, slots=True)
class SearchHit:
    note_id: int
    title: str
    snippet: str  # plain text (no markup); the matches are `highlights`
    score: float
    mode: SearchMode
    matched_by: tuple[str, ...] = field(default=())  # "title", "meaning", "keywords"
    semantic_score: float | None = None  # the side scores behind `score` (None: no match there)
    keyword_score: float | None = None
    highlights: tuple[tuple[int, int], ...] = ()  # (start, end) of each match in `snippet`
    weak: bool = False  # found by meaning alone, below the calibrated floor


@dataclass(frozen=True, slots=True)
class RelatedWhy:
    """Why a note is related: the closest pair of passages, shared keywords, links."""

    passage: str = ""  # the other note's passage closest to this note's
    own_passage: str = ""  # this note's passage closest to it
    passage_similarity: float | None = None
    shared_keywords: tuple[str, ...] = ()
    link: str = ""  # "direct", "two-step" or ""
    via: str = ""  # a two-step link: the note in between


@dataclass(frozen=True, slots=True)
class RelatedCandidate:
    """A candidate related note as the repository finds it, before blending."""

    note_id: int
    title: str
    similarity: float | None  # None: the other note has no vector yet
    shared_keywords: tuple[str, ...] = ()
    keyword_union: int = 0  # keywords of either note (for the Jaccard share)
    link: str = ""  # "direct", "two-step" or ""
    via: str = ""
    pinned: bool = False


@dataclass(frozen=True, slots=True)
class DraftRelatedQuery:
    """What is known of a draft (not stored) to find its related notes and say why."""

    vector: tuple[float, ...]  # the draft's note vector (mean of its chunk vectors)
    title: str = ""
    link_targets: tuple[str, ...] = ()  # the [[links]] it contains
    keywords: tuple[str, ...] = ()  # normalised keyword names
    exclude_note_id: int | None = None  # the stored note being edited


@dataclass(frozen=True, slots=True)
class RelatedNote:
    note_id: int
    title: str
    similarity: float  # cosine similarity of the two notes' vectors
    score: float | None = None  # the blended relatedness (meaning, links, keywords)
    why: RelatedWhy | None = None
    weak: bool = False  # below the calibrated floor and neither linked nor pinned
    pinned: bool = False


@dataclass(frozen=True, slots=True)
class LinkedNote:
    """A note on the other end of a [[link]]; `note_id` is None when no such note exists yet."""

    title: str
    note_id: int | None


@dataclass(frozen=True, slots=True)
class TitleMatch:
    """A note offered while a `[[link]]` is typed: its title, and the alias that matched."""

    note_id: int
    title: str
    alias: str | None = None
