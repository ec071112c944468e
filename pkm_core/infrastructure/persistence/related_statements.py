"""The statements of related notes, built once. (Long: one candidates statement in four
variants, best read in one place.)

Each is built with bind parameters (so SQLAlchemy builds, caches the key of and compiles
each one once per process; a call only binds).

One statement finds every candidate of a note or of a draft with all that says why it is
related: the nearest notes by meaning (HNSW over note vectors), the notes linked to or
from it, those two links away (with a note in between), its pins; hidden notes left out.
Another finds the closest pair of passages of the notes chosen. Only live notes are on a
link's path: a note in the Trash keeps its links (a restore brings them back) but links
nothing meanwhile, and the title index (`lower(title)`, live notes only) serves the join.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any

from pgvector.sqlalchemy import Vector
from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    Text,
    and_,
    any_,
    bindparam,
    cast,
    column,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    union,
)
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import aliased

from pkm_core.infrastructure.persistence.models import (
    KeywordRow,
    NoteChunkRow,
    NoteKeywordRow,
    NoteLinkRow,
    NoteRow,
    RelatedChoiceRow,
)
from pkm_core.infrastructure.persistence.note_sql import LIVE

TWO_STEP_LIMIT = 20  # notes two links away considered (the lowest ids first)

NOTE = bindparam("note_id", type_=BigInteger)  # the stored note
EXCLUDE = bindparam("exclude_id", type_=BigInteger)  # the note a draft edits, or NULL
K = bindparam("k", type_=Integer)  # nearest notes by meaning read
EF_SEARCH = bindparam("ef_search", type_=Text)
DRAFT_VECTOR = bindparam("draft_vector", type_=Vector())
LINK_KEYS = bindparam("link_keys", type_=ARRAY(Text))  # lower() of the titles a draft links to
TITLE_KEY = bindparam("title_key", type_=Text)  # lower() of a draft's title
KEYWORD_NAMES = bindparam("keyword_names", type_=ARRAY(Text))  # a draft's keywords
OTHERS = bindparam("other_ids", type_=ARRAY(BigInteger))
CHUNK_TEXTS = bindparam("chunk_texts", type_=ARRAY(Text))
CHUNK_VECTORS = bindparam("chunk_vectors", type_=ARRAY(Text))  # '[…]' texts, cast once each

Origin = Callable[[Any], ColumnElement[bool]]  # which note ids a link walk starts from


def _links_of(origin: Origin) -> Any:
    """(from_id, to_id) for every link out of or into the notes `origin` accepts, between
    live notes."""
    target = aliased(NoteRow, name="link_target")
    source = aliased(NoteRow, name="link_source")
    linker = aliased(NoteRow, name="linker")
    out = (
        select(NoteLinkRow.source_note_id.label("from_id"), target.id.label("to_id"))
        .join(
            target,
            and_(func.lower(target.title) == NoteLinkRow.target_key, target.deleted_at.is_(None)),
        )
        .where(origin(NoteLinkRow.source_note_id))
    )
    into = (
        select(source.id.label("from_id"), NoteLinkRow.source_note_id.label("to_id"))
        .join(NoteLinkRow, NoteLinkRow.target_key == func.lower(source.title))
        .join(linker, and_(linker.id == NoteLinkRow.source_note_id, linker.deleted_at.is_(None)))
        .where(origin(source.id))
    )
    return union(out, into).subquery()


def _not(note: Any) -> Callable[[Any], ColumnElement[bool]]:
    return lambda c: c.is_distinct_from(note)


def _link_parts(direct_ids: Select[Any], excluded: Callable[[Any], ColumnElement[bool]]) -> Any:
    """The CTEs `direct` (id) and `two_step` (id, via: a note in between)."""
    direct = direct_ids.where(excluded(direct_ids.selected_columns[0])).cte("direct")
    second = _links_of(lambda c: c.in_(select(direct.c.id)))
    middle = aliased(NoteRow, name="middle")
    two_step = (
        select(second.c.to_id.label("id"), func.min(middle.title).label("via"))
        .join(middle, middle.id == second.c.from_id)
        .where(second.c.to_id.not_in(select(direct.c.id)), excluded(second.c.to_id))
        .group_by(second.c.to_id)
        .order_by(second.c.to_id)
        .limit(TWO_STEP_LIMIT)
        .cte("two_step")
    )
    return direct, two_step


def _candidates(
    target: Any,
    nearest_filter: ColumnElement[bool],
    own_keywords: Select[Any],
    links: tuple[Any, Any] | None,
    with_choices: bool,
    limit: Any = K,
) -> Select[Any]:
    """One statement: every candidate with its similarity to `target`, the keywords it
    shares with `own_keywords`, its link (`links`: the CTEs of `_link_parts`, None when
    there is none to look for) and, for a stored note with pins or hides, its pin; hidden
    notes left out. The parts that cannot find anything are left out of the statement
    (less to plan)."""
    nearest = (
        select(NoteRow.id.label("id"))
        .where(NoteRow.embedding.is_not(None), nearest_filter)
        .order_by(NoteRow.embedding.cosine_distance(target))
        .limit(limit)
        .cte("nearest")
    )
    parts = [select(nearest.c.id)]
    is_direct: ColumnElement[Any] = literal(False)
    via: ColumnElement[Any] = literal(None, Text)
    if links is not None:
        direct, two_step = links
        parts += [select(direct.c.id), select(two_step.c.id)]
        is_direct = exists().where(direct.c.id == NoteRow.id)
        via = select(two_step.c.via).where(two_step.c.id == NoteRow.id).scalar_subquery()
    pinned: ColumnElement[Any] = literal(False)
    hidden: ColumnElement[bool] | None = None
    if with_choices:
        choices = (
            select(RelatedChoiceRow.other_note_id.label("id"), RelatedChoiceRow.choice)
            .where(RelatedChoiceRow.note_id == NOTE)
            .cte("choices")
        )
        parts.append(select(choices.c.id).where(choices.c.choice == "pinned"))
        pinned = exists().where(choices.c.id == NoteRow.id, choices.c.choice == "pinned")
        hidden = ~exists().where(choices.c.id == NoteRow.id, choices.c.choice == "hidden")
    ids = (union(*parts) if len(parts) > 1 else parts[0]).subquery("candidate_ids")
    theirs = aliased(NoteKeywordRow, name="theirs")
    shared = (
        select(KeywordRow.name)
        .join(theirs, theirs.keyword_id == KeywordRow.id)
        .where(KeywordRow.id.in_(own_keywords), theirs.note_id == NoteRow.id)
        .order_by(KeywordRow.name)
        .scalar_subquery()
    )
    own_count = select(func.count()).select_from(own_keywords.subquery()).scalar_subquery()
    their_count = select(func.count()).where(NoteKeywordRow.note_id == NoteRow.id).scalar_subquery()
    stmt = (
        select(
            NoteRow.id,
            NoteRow.title,
            (1 - NoteRow.embedding.cosine_distance(target)).label("similarity"),
            func.array(shared).label("shared"),
            own_count.label("own_count"),
            their_count.label("their_count"),
            is_direct.label("direct"),
            via.label("via"),
            pinned.label("pinned"),
        )
        .select_from(ids)
        .join(NoteRow, NoteRow.id == ids.c.id)
        .where(LIVE)
    )
    return stmt if hidden is None else stmt.where(hidden)


@cache
def note_settings() -> Select[Any]:
    """SET LOCAL the HNSW search depth, seq scans off (pgvector reads its settings when
    the index scan starts, so not inside the statement that scans; see search_queries) and
    the generic plan of a prepared statement (`prepared.py`: one plan for every note; the
    planner's guess for `LIMIT $k` would otherwise make it replan at every call); whether
    the note exists, has links either way, and pins or hides."""
    title_key = select(func.lower(NoteRow.title)).where(NoteRow.id == NOTE).scalar_subquery()
    return select(
        func.set_config("hnsw.ef_search", EF_SEARCH, True),
        func.set_config("enable_seqscan", "off", True),
        func.set_config("plan_cache_mode", "force_generic_plan", True),
        exists().where(NoteRow.id == NOTE).label("found"),
        or_(
            exists().where(NoteLinkRow.source_note_id == NOTE),
            exists().where(NoteLinkRow.target_key == title_key),
        ).label("linked"),
        exists().where(RelatedChoiceRow.note_id == NOTE).label("chosen"),
    )


@cache
def draft_settings() -> Select[Any]:
    """`note_settings` for a draft: whether a note links to its title."""
    return select(
        func.set_config("hnsw.ef_search", EF_SEARCH, True),
        func.set_config("enable_seqscan", "off", True),
        exists().where(NoteLinkRow.target_key == TITLE_KEY).label("linked"),
    )


@lru_cache(maxsize=64)  # k comes from the caller: a bounded cache
def note_candidates(linked: bool, chosen: bool, k: int) -> Select[Any]:
    """The candidates of the stored note NOTE (`linked`: it has links; `chosen`: pins or
    hides), its `k` nearest by meaning among them.

    `k` is written into the statement: it is prepared with a generic plan, and for
    `LIMIT $k` the planner guesses a tenth of the notes, so at 100k it hash-joined the
    ~10,000 "nearest" it expected against every live note: 97 ms a call instead of ~3
    (EXPLAIN ANALYZE, docs/PERFORMANCE.md, session 7)."""
    target = select(NoteRow.embedding).where(NoteRow.id == NOTE).scalar_subquery()
    links = None
    if linked:
        direct = _links_of(lambda c: c == NOTE)
        links = _link_parts(select(direct.c.to_id.label("id")), _not(NOTE))
    return _candidates(
        target,
        NoteRow.id != NOTE,
        select(NoteKeywordRow.keyword_id).where(NoteKeywordRow.note_id == NOTE),
        links,
        with_choices=chosen,
        limit=literal_column(str(int(k))),
    )


@cache
def draft_candidates(linked: bool) -> Select[Any]:
    """The candidates of a draft: DRAFT_VECTOR, its KEYWORD_NAMES and (`linked`) the notes
    LINK_KEYS name and those linking to TITLE_KEY; EXCLUDE (the note it edits, or NULL)
    left out."""
    links = None
    if linked:
        linker = aliased(NoteRow, name="draft_linker")
        named = select(NoteRow.id.label("id")).where(
            func.lower(NoteRow.title) == any_(LINK_KEYS), LIVE
        )
        linking = (
            select(NoteLinkRow.source_note_id.label("id"))
            .join(
                linker, and_(linker.id == NoteLinkRow.source_note_id, linker.deleted_at.is_(None))
            )
            .where(NoteLinkRow.target_key == TITLE_KEY)
        )
        direct = union(named, linking).subquery("draft_direct")
        links = _link_parts(select(direct.c.id), _not(EXCLUDE))
    return _candidates(
        DRAFT_VECTOR,
        NoteRow.id.is_distinct_from(EXCLUDE),
        select(KeywordRow.id).where(KeywordRow.name == any_(KEYWORD_NAMES)),
        links,
        with_choices=False,
    )


def _closest(own: Any) -> Select[Any]:
    """The closest pair of a chunk of `own` (a FROM with `text` and `embedding`) and a
    chunk of each of OTHERS (every pair compared: a few notes of a few chunks)."""
    other = aliased(NoteChunkRow, name="other")
    distance = own.c.embedding.cosine_distance(other.embedding)
    return (
        select(other.note_id, other.text, own.c.text.label("own_text"), (1 - distance).label("sim"))
        .select_from(own)
        .join(other, and_(other.note_id == any_(OTHERS), other.embedding.is_not(None)))
        .ext(distinct_on(other.note_id))
        .order_by(other.note_id, distance)
    )


@cache
def note_passages() -> Select[Any]:
    own = (
        select(NoteChunkRow.text, NoteChunkRow.embedding)
        .where(NoteChunkRow.note_id == NOTE, NoteChunkRow.embedding.is_not(None))
        .subquery("own")
    )
    return _closest(own)


@cache
def draft_passages() -> Select[Any]:
    """A draft's chunks sent as two arrays; each vector is cast once (a materialised CTE),
    not once per pair compared."""
    sent = (
        func.unnest(CHUNK_TEXTS, CHUNK_VECTORS)
        .table_valued(column("text", Text), column("vector_text", Text), name="draft_chunks")
        .render_derived()
    )
    own = (
        select(sent.c.text, cast(sent.c.vector_text, Vector()).label("embedding"))
        .cte("own")
        .prefix_with("MATERIALIZED")
    )
    return _closest(own)
