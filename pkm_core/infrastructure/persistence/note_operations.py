"""The note repository's operations (see operations.py): CRUD, listing, chunks, links."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pgvector.sqlalchemy import Vector
from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    Select,
    Text,
    and_,
    any_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    literal,
    literal_column,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert

from pkm_core.application.dto import (
    ChunkRecord,
    NoteFilter,
    NoteSummary,
    Page,
    PageRequest,
    PreparedNote,
    SortOrder,
)
from pkm_core.domain.errors import DuplicateTitle, NoteNotFound, VersionConflict
from pkm_core.domain.link import NoteLink
from pkm_core.domain.note import Note, NoteDraft
from pkm_core.domain.text import fold_accents
from pkm_core.infrastructure.persistence.models import (
    KeywordRow,
    NoteChunkRow,
    NoteKeywordRow,
    NoteLinkRow,
    NoteRow,
    ProjectRow,
)
from pkm_core.infrastructure.persistence.operations import Operation

TEXT_SEARCH_CONFIG = "english"
EXCERPT_CHARS = 200


def search_vector(title: str, body: str) -> ColumnElement[Any]:
    """Title lexemes weigh A, body lexemes D; accents folded so 'cancion' finds 'canción'."""
    # Inline literals: asyncpg would otherwise send them as varchar, which setweight refuses.
    config = literal_column(f"'{TEXT_SEARCH_CONFIG}'::regconfig")
    return func.setweight(func.to_tsvector(config, fold_accents(title)), literal_column("'A'")).op(
        "||"
    )(func.to_tsvector(config, fold_accents(body)))


def _keyword_names() -> ColumnElement[Any]:
    names = (
        select(KeywordRow.name)
        .join(NoteKeywordRow, NoteKeywordRow.keyword_id == KeywordRow.id)
        .where(NoteKeywordRow.note_id == NoteRow.id)
        .order_by(KeywordRow.name)
        .scalar_subquery()
    )
    return func.array(names).label("keyword_names")


_NOTE_COLUMNS = (
    NoteRow.id,
    NoteRow.title,
    NoteRow.body,
    NoteRow.external_id,
    NoteRow.project_id,
    NoteRow.source_id,
    NoteRow.version,
    NoteRow.created_at,
    NoteRow.updated_at,
)


def _note_select() -> Select[Any]:
    return select(*_NOTE_COLUMNS, _keyword_names())


def _to_note(row: Any) -> Note:
    return Note(
        id=row.id,
        title=row.title,
        body=row.body,
        keywords=tuple(row.keyword_names or ()),
        project_id=row.project_id,
        source_id=row.source_id,
        external_id=row.external_id,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


# Public names for the other operation modules (index, search) that read whole notes.
note_select = _note_select
to_note = _to_note


def project_subtree(project_id: int) -> Select[Any]:
    """The project and every project nested below it."""
    tree = select(ProjectRow.id).where(ProjectRow.id == project_id).cte("tree", recursive=True)
    tree = tree.union(select(ProjectRow.id).join(tree, ProjectRow.parent_id == tree.c.id))
    return select(tree.c.id)


def project_ids(filters: NoteFilter) -> Operation[list[int] | None]:
    """The filter's project with all its sub-projects, or None when there is no project filter."""
    if filters.project_id is None:
        return None
    return list((yield project_subtree(filters.project_id)).scalars().all())


def filter_clauses(filters: NoteFilter, projects: list[int] | None) -> list[ColumnElement[bool]]:
    """WHERE clauses on `notes` for a filter; shared by listing and every search mode.

    `projects` is the resolved subtree from `project_ids` (resolved first so that the
    clauses stay plain and can be rendered into the hand-written search SQL)."""
    clauses: list[ColumnElement[bool]] = []
    for name in filters.keywords:
        # An explicit join: inside the search statements' subqueries the implicit one
        # drew SQLAlchemy's cartesian-product warning.
        clauses.append(
            exists(
                select(NoteKeywordRow.note_id)
                .join(KeywordRow, KeywordRow.id == NoteKeywordRow.keyword_id)
                .where(NoteKeywordRow.note_id == NoteRow.id, KeywordRow.name == name)
            )
        )
    if projects is not None:
        # = ANY(array) rather than IN (...): it renders as one parameter in hand-written SQL.
        clauses.append(NoteRow.project_id == any_(literal(projects, ARRAY(BigInteger))))
    if filters.created_from is not None:
        clauses.append(NoteRow.created_at >= filters.created_from)
    if filters.created_to is not None:
        clauses.append(NoteRow.created_at <= filters.created_to)
    if filters.updated_from is not None:
        clauses.append(NoteRow.updated_at >= filters.updated_from)
    if filters.updated_to is not None:
        clauses.append(NoteRow.updated_at <= filters.updated_to)
    return clauses


def get(note_id: int) -> Operation[Note | None]:
    row = (yield _note_select().where(NoteRow.id == note_id)).first()
    return None if row is None else _to_note(row)


def get_by_title(title: str) -> Operation[Note | None]:
    stmt = _note_select().where(func.lower(NoteRow.title) == title.strip().lower())
    row = (yield stmt).first()
    return None if row is None else _to_note(row)


def get_by_external_id(external_id: str) -> Operation[Note | None]:
    row = (yield _note_select().where(NoteRow.external_id == external_id)).first()
    return None if row is None else _to_note(row)


def _ensure_title_free(title: str, note_id: int | None) -> Operation[None]:
    stmt = select(NoteRow.id).where(func.lower(NoteRow.title) == title.lower())
    if note_id is not None:
        stmt = stmt.where(NoteRow.id != note_id)
    if (yield stmt.limit(1)).first() is not None:
        raise DuplicateTitle(title)


def _set_keywords(note_id: int, names: Sequence[str], *, replace: bool) -> Operation[None]:
    if replace:
        yield delete(NoteKeywordRow).where(NoteKeywordRow.note_id == note_id)
    if not names:
        return
    upsert = pg_insert(KeywordRow).values([{"name": n} for n in names])
    # DO UPDATE (a no-op) rather than DO NOTHING so that existing keywords return their id too.
    upsert = upsert.on_conflict_do_update(
        index_elements=[KeywordRow.name], set_={"name": upsert.excluded.name}
    ).returning(KeywordRow.id)
    ids = (yield upsert).scalars().all()
    yield insert(NoteKeywordRow).values([{"note_id": note_id, "keyword_id": i} for i in ids])


def add(draft: NoteDraft) -> Operation[Note]:
    yield from _ensure_title_free(draft.title, None)
    stmt = (
        insert(NoteRow)
        .values(
            title=draft.title,
            body=draft.body,
            external_id=draft.external_id,
            project_id=draft.project_id,
            source_id=draft.source_id,
            content_hash=draft.content_hash,
            search_tsv=search_vector(draft.title, draft.body),
        )
        .returning(NoteRow.id)
    )
    note_id = (yield stmt).scalar_one()
    yield from _set_keywords(note_id, draft.keywords, replace=False)
    note = yield from get(note_id)
    assert note is not None
    return note


def _raise_missing_or_conflict(note_id: int, expected_version: int) -> Operation[None]:
    current = (yield select(NoteRow.version).where(NoteRow.id == note_id)).scalar_one_or_none()
    if current is None:
        raise NoteNotFound(note_id)
    raise VersionConflict(note_id, expected_version, current)


def update_note(note_id: int, draft: NoteDraft, expected_version: int) -> Operation[Note]:
    yield from _ensure_title_free(draft.title, note_id)
    stmt = (
        update(NoteRow)
        .where(NoteRow.id == note_id, NoteRow.version == expected_version)
        .values(
            title=draft.title,
            body=draft.body,
            external_id=draft.external_id,
            project_id=draft.project_id,
            source_id=draft.source_id,
            content_hash=draft.content_hash,
            search_tsv=search_vector(draft.title, draft.body),
            version=NoteRow.version + 1,
            updated_at=func.clock_timestamp(),
        )
        .returning(NoteRow.id)
    )
    if (yield stmt).first() is None:
        yield from _raise_missing_or_conflict(note_id, expected_version)
    yield from _set_keywords(note_id, draft.keywords, replace=True)
    note = yield from get(note_id)
    assert note is not None
    return note


def delete_note(note_id: int, expected_version: int | None) -> Operation[None]:
    stmt = delete(NoteRow).where(NoteRow.id == note_id)
    if expected_version is not None:
        stmt = stmt.where(NoteRow.version == expected_version)
    if (yield stmt.returning(NoteRow.id)).first() is None:
        if expected_version is None:
            raise NoteNotFound(note_id)
        yield from _raise_missing_or_conflict(note_id, expected_version)


_SORTS = {
    SortOrder.UPDATED: (NoteRow.updated_at.desc(), NoteRow.id.desc()),
    SortOrder.CREATED: (NoteRow.created_at.desc(), NoteRow.id.desc()),
    SortOrder.TITLE: (func.lower(NoteRow.title).asc(), NoteRow.id.asc()),
}


def list_notes(
    filters: NoteFilter, page: PageRequest, sort: SortOrder
) -> Operation[Page[NoteSummary]]:
    projects = yield from project_ids(filters)
    where = and_(*filter_clauses(filters, projects)) if not filters.is_empty else None
    count_stmt = select(func.count()).select_from(NoteRow)
    rows_stmt = select(
        NoteRow.id,
        NoteRow.title,
        func.left(NoteRow.body, EXCERPT_CHARS).label("excerpt"),
        NoteRow.project_id,
        NoteRow.created_at,
        NoteRow.updated_at,
        NoteRow.version,
        _keyword_names(),
    )
    if where is not None:
        count_stmt = count_stmt.where(where)
        rows_stmt = rows_stmt.where(where)
    total = (yield count_stmt).scalar_one()
    rows = (yield rows_stmt.order_by(*_SORTS[sort]).offset(page.offset).limit(page.size)).all()
    items = [
        NoteSummary(
            id=r.id,
            title=r.title,
            excerpt=r.excerpt,
            keywords=tuple(r.keyword_names or ()),
            project_id=r.project_id,
            created_at=r.created_at,
            updated_at=r.updated_at,
            version=r.version,
        )
        for r in rows
    ]
    return Page(items=items, total=total, page=page.page, size=page.size)


def count() -> Operation[int]:
    return (yield select(func.count()).select_from(NoteRow)).scalar_one()


def chunks(note_id: int) -> Operation[list[ChunkRecord]]:
    stmt = (
        select(
            NoteChunkRow.ordinal,
            NoteChunkRow.text,
            NoteChunkRow.content_hash,
            NoteChunkRow.embedding,
        )
        .where(NoteChunkRow.note_id == note_id)
        .order_by(NoteChunkRow.ordinal)
    )
    return [
        ChunkRecord(
            ordinal=r.ordinal,
            text=r.text,
            content_hash=r.content_hash,
            embedding=None if r.embedding is None else [float(x) for x in r.embedding],
        )
        for r in (yield stmt).all()
    ]


def replace_chunks(
    note_id: int, records: Sequence[ChunkRecord], note_embedding: Sequence[float] | None
) -> Operation[None]:
    yield delete(NoteChunkRow).where(NoteChunkRow.note_id == note_id)
    if records:
        yield (
            insert(NoteChunkRow),
            [
                {
                    "note_id": note_id,
                    "ordinal": r.ordinal,
                    "text": r.text,
                    "content_hash": r.content_hash,
                    "embedding": r.embedding,
                }
                for r in records
            ],
        )
    yield (
        update(NoteRow)
        .where(NoteRow.id == note_id)
        .values(embedding=bindparam("embedding", type_=Vector())),
        {"embedding": None if note_embedding is None else list(note_embedding)},
    )


def replace_links(note_id: int, target_titles: Sequence[str]) -> Operation[None]:
    yield delete(NoteLinkRow).where(NoteLinkRow.source_note_id == note_id)
    if target_titles:
        yield insert(NoteLinkRow).values(
            [
                {"source_note_id": note_id, "target_key": t.lower(), "target_title": t}
                for t in target_titles
            ]
        )


def links_out(note_id: int) -> Operation[list[NoteLink]]:
    stmt = (
        select(NoteLinkRow.target_title, NoteRow.id)
        .outerjoin(NoteRow, func.lower(NoteRow.title) == NoteLinkRow.target_key)
        .where(NoteLinkRow.source_note_id == note_id)
        .order_by(NoteLinkRow.target_key)
    )
    return [
        NoteLink(source_note_id=note_id, target_title=r.target_title, target_note_id=r.id)
        for r in (yield stmt).all()
    ]


def backlinks(note_id: int) -> Operation[list[tuple[int, str]]]:
    """(id, title) of the notes whose [[links]] point at this note."""
    target = select(func.lower(NoteRow.title)).where(NoteRow.id == note_id).scalar_subquery()
    stmt = (
        select(NoteRow.id, NoteRow.title)
        .join(NoteLinkRow, NoteLinkRow.source_note_id == NoteRow.id)
        .where(NoteLinkRow.target_key == target)
        .order_by(func.lower(NoteRow.title))
    )
    return [(r.id, r.title) for r in (yield stmt).all()]


def get_by_external_ids(external_ids: Sequence[str]) -> Operation[list[Note]]:
    if not external_ids:
        return []
    wanted = literal(list(external_ids), ARRAY(Text))
    stmt = _note_select().where(NoteRow.external_id == any_(wanted))
    return [_to_note(row) for row in (yield stmt).all()]


def taken_titles(titles: Sequence[str]) -> Operation[dict[str, str | None]]:
    """{lower(title): external_id} for the titles already in use (case-insensitively)."""
    if not titles:
        return {}
    keys = sorted({t.lower() for t in titles})
    stmt = select(func.lower(NoteRow.title), NoteRow.external_id).where(
        func.lower(NoteRow.title) == any_(literal(keys, ARRAY(Text)))
    )
    return {key: external_id for key, external_id in (yield stmt).all()}


def add_many(notes: Sequence[PreparedNote]) -> Operation[list[int]]:
    """One INSERT for the notes (so the BM25 trigger runs once), then one for each of
    keywords, chunks and links. Titles must already be free (the caller checks in bulk)."""
    if not notes:
        return []
    stmt = (
        insert(NoteRow)
        .values(
            [
                {
                    "title": n.draft.title,
                    "body": n.draft.body,
                    "external_id": n.draft.external_id,
                    "project_id": n.draft.project_id,
                    "source_id": n.draft.source_id,
                    "content_hash": n.draft.content_hash,
                    "search_tsv": search_vector(n.draft.title, n.draft.body),
                    "embedding": n.embedding,
                }
                for n in notes
            ]
        )
        .returning(NoteRow.id, func.lower(NoteRow.title).label("key"))
    )
    # Map back by title (unique): RETURNING order is not promised for a multi-row VALUES.
    by_key = {row.key: row.id for row in (yield stmt).all()}
    ids = [by_key[n.draft.title.lower()] for n in notes]

    names = sorted({k for n in notes for k in n.draft.keywords})
    if names:
        upsert = pg_insert(KeywordRow).values([{"name": name} for name in names])
        upsert = upsert.on_conflict_do_update(
            index_elements=[KeywordRow.name], set_={"name": upsert.excluded.name}
        ).returning(KeywordRow.id, KeywordRow.name)
        keyword_ids = {row.name: row.id for row in (yield upsert).all()}
        yield insert(NoteKeywordRow).values(
            [
                {"note_id": note_id, "keyword_id": keyword_ids[k]}
                for note_id, n in zip(ids, notes, strict=True)
                for k in n.draft.keywords
            ]
        )
    chunk_rows = [
        {
            "note_id": note_id,
            "ordinal": c.ordinal,
            "text": c.text,
            "content_hash": c.content_hash,
            "embedding": c.embedding,
        }
        for note_id, n in zip(ids, notes, strict=True)
        for c in n.chunks
    ]
    if chunk_rows:
        yield (insert(NoteChunkRow), chunk_rows)
    link_rows = [
        {"source_note_id": note_id, "target_key": t.lower(), "target_title": t}
        for note_id, n in zip(ids, notes, strict=True)
        for t in n.links
    ]
    if link_rows:
        yield (insert(NoteLinkRow), link_rows)
    return ids
