"""Read side, ranked retrieval in SQL: semantic (HNSW over chunks), keyword (BM25), hybrid,
related. (Long: one statement builder per mode, sharing CTEs.)

Each search is one SQL statement built here with SQLAlchemy Core; hybrid fuses both lists
inside that statement. Semantic and hybrid searches send one small statement before it,
because pgvector reads `hnsw.ef_search` / `hnsw.iterative_scan` when the index scan
starts, so they cannot be set inside the query that scans: that statement also returns
the recorded embedding model (checked against the query's) and, when filters are set,
how many notes pass them (a small set is searched exactly instead of through HNSW).

BM25 is computed from the trigger-kept inverted index (bm25_terms, bm25_postings, and
the collection statistics of `bm25_stats.py`): PostgreSQL's ts_rank has no IDF and ranks
poorly (see docs/SEARCH.md). Each
query term's postings are read best-first through the impact-ordered covering index of
migration 0002, at most `postings_per_term` of them, and scored exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pgvector.sqlalchemy import Vector
from sqlalchemy import (
    ARRAY,
    CTE,
    ColumnElement,
    Double,
    Integer,
    Select,
    Text,
    and_,
    bindparam,
    case,
    cast,
    column,
    func,
    literal,
    select,
    table,
    true,
    union_all,
)
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import Session, aliased

from pkm_core.application.dto import DEFAULT_TUNING, NoteFilter, ScoredNote, SearchTuning
from pkm_core.domain.embedding import same_model
from pkm_core.domain.errors import EmbeddingModelMismatch
from pkm_core.domain.language import valid_config
from pkm_core.domain.query import SearchQuery
from pkm_core.domain.text import fold_accents
from pkm_core.infrastructure import word_frequency
from pkm_core.infrastructure.persistence.bm25_stats import collection_stats, term_df
from pkm_core.infrastructure.persistence.models import (
    Bm25PostingRow,
    Bm25TermRow,
    EmbeddingModelRow,
    NoteChunkRow,
    NoteRow,
)
from pkm_core.infrastructure.persistence.note_sql import (
    LIVE,
    TEXT_SEARCH_CONFIG,
)
from pkm_core.infrastructure.persistence.search_filter import (
    FilterShape,
    FilterTests,
    FilterWay,
    SearchFilter,
    filter_select,
    filter_tests,
    filter_way,
    sampled_share,
    search_filter,
)
from pkm_core.infrastructure.persistence.search_syntax import (
    NoteTest,
    exact_match_ids,
    languages_column,
    languages_present,
    regconfig,
    restrict_exact,
    title_key,
)

# A keyword-only hit has no best chunk: its snippet is cut from the start of the body.
PASSAGE_CHARS = 20_000
# Weight of a vocabulary term reached only by completing the unfinished last word.
PREFIX_BOOST = 0.5
MAX_SCAN_TUPLES = 50_000  # how far an iterative HNSW scan may go to satisfy a filter
# A filter passing more notes than this is known to be large: it is then hashed (or probed,
# search_filter.FilterWay), whatever the planner estimates of its size.
LARGE_FILTER = 1000
RESCORE_DEPTH = 200  # BM25 candidates (at least) whose score is recomputed from all postings

NO_FILTER = NoteFilter()
_PG_EXTENSION = table("pg_extension", column("extname"), column("extversion"))


def _float(value: float) -> ColumnElement[float]:
    # psycopg2 inlines parameters: a bare 0.9 would be NUMERIC, and numeric arithmetic on
    # every posting is several times slower than float8.
    return cast(literal(float(value)), Double)


# ------------------------------------------------------------------- vector settings


def _setup_select(ef_search: int, filtered: Select[Any] | None, exact_limit: int) -> Select[Any]:
    """SET LOCAL the HNSW scan settings; the recorded model and, with a filter, the notes
    passing it (counted only as far as `filter_way` needs) and their estimated share."""
    iterative = (
        select(
            func.set_config("hnsw.iterative_scan", "relaxed_order", True).op("||")(
                func.set_config("hnsw.max_scan_tuples", str(MAX_SCAN_TUPLES), True)
            )
        )
        .where(
            _PG_EXTENSION.c.extname == "vector",
            # pgvector < 0.8 has no iterative scans (and refuses unknown hnsw.* settings).
            cast(func.string_to_array(_PG_EXTENSION.c.extversion, "."), ARRAY(Integer))
            >= cast(literal([0, 8]), ARRAY(Integer)),
        )
        .scalar_subquery()
    )
    columns: list[Any] = [
        func.set_config("hnsw.ef_search", str(ef_search), True),
        # pgvector's cost estimate grows with ef_search, and at a few thousand notes the
        # planner then prefers an exact scan of every chunk: 18 ms against 4 ms for the
        # HNSW scan at 5k notes, and it grows with the notes. Seq scans are off for this
        # transaction only (a search is the only statement of its unit of work).
        func.set_config("enable_seqscan", "off", True),
        iterative,
        select(EmbeddingModelRow.name).scalar_subquery().label("model_name"),
        select(EmbeddingModelRow.dimension).scalar_subquery().label("model_dimension"),
    ]
    if filtered is None:
        return select(*columns)
    small = max(exact_limit, LARGE_FILTER)
    capped = filtered.limit(small + 1).subquery()
    counted = select(func.count().label("passing")).select_from(capped).subquery("counted")
    # Only a filter too large to score exactly has its share estimated (a CASE branch's
    # subquery runs only when taken).
    share = case((counted.c.passing > exact_limit, sampled_share(filtered)), else_=None)
    return select(*columns, counted.c.passing, share.label("share")).select_from(counted)


@lru_cache(maxsize=64)
def _setup_statement(ef_search: int, shape: FilterShape | None, exact_limit: int) -> Select[Any]:
    filtered = None if shape is None else filter_select(shape)
    return _setup_select(ef_search, filtered, exact_limit)


def _prepare_vector_scan(
    session: Session, ef_search: int, filtered: SearchFilter, tuning: SearchTuning
) -> tuple[tuple[str, int] | None, FilterWay]:
    """SET LOCAL the HNSW scan settings; return the recorded model and the way to meet
    the filter (PLAIN without one)."""
    limit, share = tuning.exact_filter_limit, tuning.probe_filter_share
    if filtered.cached:
        stmt = _setup_statement(ef_search, filtered.shape, limit)
    else:
        stmt = _setup_select(ef_search, filtered.select, limit)
    row = session.execute(stmt, filtered.params).one()
    model = None if row.model_name is None else (row.model_name, int(row.model_dimension))
    if filtered.select is None:
        return model, FilterWay.PLAIN
    estimate = None if row.share is None else float(row.share)
    return model, filter_way(int(row.passing), estimate, limit, LARGE_FILTER, share)


def _check_model(
    recorded: tuple[str, int] | None, expected_model: str | None, dimension: int
) -> None:
    if recorded is None or expected_model is None:
        return
    name, recorded_dimension = recorded
    if not same_model(name, expected_model) or recorded_dimension != dimension:
        raise EmbeddingModelMismatch(name, recorded_dimension, expected_model, dimension)


# -------------------------------------------------------------------------- semantic


def _semantic_cte(dimension: int, k: int, tuning: SearchTuning, tests: FilterTests) -> CTE:
    """(note_id, chunk_id, similarity) of the k notes whose best chunk is nearest, among
    the notes passing `tests`. The query's vector is the parameter `query_vector`."""
    query_vector = bindparam("query_vector", type_=Vector(dimension), required=True)
    distance = NoteChunkRow.embedding.cosine_distance(query_vector)
    chunks = select(
        NoteChunkRow.note_id, NoteChunkRow.id.label("chunk_id"), distance.label("distance")
    ).where(NoteChunkRow.embedding.is_not(None))
    if tests.scored is not None:
        # A small filtered set: score every chunk of its notes, reached from the notes
        # (MATERIALIZED keeps the planner from walking the HNSW graph instead).
        scored = tests.scored
        chunks = chunks.join_from(NoteChunkRow, scored, NoteChunkRow.note_id == scored.c.id)
        nearest: Any = chunks.cte("scored_chunks").prefix_with("MATERIALIZED")
    else:
        if tests.chunk is not None:
            # The iterative HNSW scan tests each chunk it reaches (search_filter.FilterWay).
            chunks = chunks.where(tests.chunk(NoteChunkRow.note_id))
        wanted = k * tuning.chunks_per_note
        nearest = chunks.order_by(distance).limit(wanted).subquery("nearest_chunks")
    best = (
        select(
            nearest.c.note_id,
            nearest.c.chunk_id,
            (1 - nearest.c.distance).label("similarity"),
        )
        .ext(distinct_on(nearest.c.note_id))
        .order_by(nearest.c.note_id, nearest.c.distance)
        .subquery("best_chunks")
    )
    return select(best).order_by(best.c.similarity.desc(), best.c.note_id).limit(k).cte("semantic")


# --------------------------------------------------------------------------- keyword


def _prefix(query: str) -> str:
    """The last word as typed (folded, lower case) when it may be unfinished: a query that
    ends in a space or punctuation has a finished last word."""
    folded = fold_accents(query).lower()
    words = folded.split()
    if not words or not folded[-1:].isalnum():
        return ""
    last = "".join(ch for ch in words[-1] if ch.isalnum())
    return last if len(last) >= 3 else ""


def _prefix_end(prefix: str) -> str:
    """The smallest string above every string starting with `prefix` (C collation)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _query_lexemes(configs: Sequence[str]) -> CTE:
    """The query's lexemes in every language present (each config stems its own way); the
    query is the parameter `query_text` (accents folded)."""
    text: Any = bindparam("query_text", type_=Text, required=True)
    sets = [
        select(
            literal(c).label("config"),
            func.unnest(func.tsvector_to_array(func.to_tsvector(regconfig(c), text))).label("term"),
        )
        for c in (configs or [TEXT_SEARCH_CONFIG])
    ]
    return (union_all(*sets) if len(sets) > 1 else sets[0]).cte("query_lexemes")


def _background_cte() -> CTE:
    """(term, fraction): how common each query lexeme is in its language (wordfreq), the
    parameters `bg_terms` and `bg_fractions`."""
    return select(
        func.unnest(bindparam("bg_terms", type_=ARRAY(Text), required=True)).label("term"),
        func.unnest(bindparam("bg_fractions", type_=ARRAY(Double), required=True)).label(
            "fraction"
        ),
    ).cte("background")


def _idf(doc_count: Any, df: Any, fraction: Any, background_docs: float) -> ColumnElement[Any]:
    """BM25's idf, the corpus blended with `background_docs` ordinary documents of the
    language (a term's background df = its document fraction there). With no background
    it is the plain corpus idf, ln(1 + (N - df + 0.5) / (df + 0.5))."""
    n, d = doc_count, df
    if background_docs > 0 and fraction is not None:
        bg = _float(background_docs)
        n = doc_count + bg
        d = df + bg * func.coalesce(fraction, _float(0.0))
    return func.ln(1 + (n - d + _float(0.5)) / (d + _float(0.5)))


@dataclass(frozen=True, slots=True)
class KeywordShape:
    """What of a keyword query decides its statement's shape (the rest are parameters)."""

    configs: tuple[str, ...]  # the languages present, in which the query is stemmed
    prefix: bool  # the unfinished last word is expanded
    background: bool  # some query words have a background frequency


def keyword_params(
    query: str, configs: Sequence[str], tuning: SearchTuning
) -> tuple[KeywordShape, dict[str, Any]]:
    """The shape of the keyword side for `query` (the query's words) and its parameters."""
    params: dict[str, Any] = {"query_text": fold_accents(query)}
    prefix = _prefix(query) if tuning.prefix_expansions > 0 else ""
    if prefix:
        params |= {"prefix": prefix, "prefix_end": _prefix_end(prefix)}
    fractions: dict[str, float] = {}
    if tuning.background_docs > 0:
        fractions = word_frequency.background_fractions(query, configs or [TEXT_SEARCH_CONFIG])
    if fractions:
        params |= {"bg_terms": list(fractions), "bg_fractions": list(fractions.values())}
    return KeywordShape(tuple(configs), bool(prefix), bool(fractions)), params


def _keyword_cte(
    shape: KeywordShape, k: int, tuning: SearchTuning, passes: NoteTest | None = None
) -> CTE:
    """(note_id, score, ceiling) of the k best notes by BM25 (title words weigh
    `title_weight`) among those that `passes`; `ceiling` is the query's highest possible
    score, Σ idf · (k1 + 1). The query's values are the parameters of `keyword_params`."""
    terms = Bm25TermRow
    df = term_df()
    query_lexemes = _query_lexemes(shape.configs)
    branches: list[Select[int, str, int, float]] = [
        select(terms.id, terms.term, df.label("df"), _float(1.0).label("boost")).where(
            terms.term.in_(select(query_lexemes.c.term)), df > 0
        )
    ]
    if shape.prefix:
        expansions = (
            select(terms.id, terms.term, df.label("df"), _float(PREFIX_BOOST).label("boost"))
            .where(
                # A range, not LIKE: a btree on a "C"-collated column serves it with any driver.
                terms.term >= bindparam("prefix", type_=Text, required=True),
                terms.term < bindparam("prefix_end", type_=Text, required=True),
                df > 0,
                terms.term.not_in(select(query_lexemes.c.term)),
            )
            .order_by(df.desc())
            .limit(tuning.prefix_expansions)
            .subquery("expansions")
        )
        branches.append(select(expansions))
    matched = (union_all(*branches) if len(branches) > 1 else branches[0]).cte("matched_terms")

    w = _float(tuning.title_weight)
    now = collection_stats()
    stats = select(
        now.c.doc_count,
        # Typed as float8: untyped, every posting's length was divided by it as NUMERIC.
        cast(
            func.greatest(
                (now.c.sum_len_body + w * now.c.sum_len_title) / func.greatest(now.c.doc_count, 1),
                _float(1.0),
            ),
            Double,
        ).label("avgdl"),
    )
    stats_cte = stats.cte("stats")
    background = _background_cte() if shape.background else None
    joined = matched.join(stats_cte, true())
    if background is not None:
        joined = joined.outerjoin(background, background.c.term == matched.c.term)
    idf = _idf(
        stats_cte.c.doc_count,
        matched.c.df,
        background.c.fraction if background is not None else None,
        tuning.background_docs,
    )
    # `cut`: the term has more postings than the walk below reads, so a candidate may have
    # missed one of them. A term's df is the number of its postings (the triggers keep both
    # in one transaction; trashed notes have none), so no index probe is needed to know it
    # (an index-only probe past the first `postings_per_term` read ~1,000 tuples a term).
    weighted = (
        select(
            matched.c.id,
            (idf * matched.c.boost).label("idf"),
            (matched.c.df > tuning.postings_per_term).label("cut"),
        )
        .select_from(joined)
        .cte("weighted_terms")
    )

    k1, b = _float(tuning.bm25_k1), _float(tuning.bm25_b)

    def _contribution(posting: Any) -> ColumnElement[Any]:
        tf = posting.tf_body + w * posting.tf_title
        dl = posting.len_body + w * posting.len_title
        return weighted.c.idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / stats_cte.c.avgdl))

    def bm25(posting: Any) -> ColumnElement[Any]:
        return func.sum(_contribution(posting))

    postings = Bm25PostingRow
    # Each walked posting's contribution is computed once, inside the walk.
    best_postings = select(postings.note_id, _contribution(postings).label("contribution")).where(
        postings.term_id == weighted.c.id
    )
    if passes is not None:
        # Inside the walk: a term's postings are read until enough pass the filter.
        best_postings = best_postings.where(passes(postings.note_id))
    walked = (
        best_postings.order_by(postings.impact_ref.desc())
        .limit(tuning.postings_per_term)
        .lateral("postings")
    )
    partial = func.sum(walked.c.contribution)
    # What the walk read of a term it read whole is already exact.
    whole = func.sum(walked.c.contribution).filter(weighted.c.cut.is_(False))
    # No posting of a term contributes idf · (k1 + 1) or more (tf / (tf + K) < 1): the
    # bound of what a candidate may have missed of each cut term it was not seen in.
    seen_cut = func.coalesce(
        func.sum(weighted.c.idf * (k1 + 1)).filter(weighted.c.cut), _float(0.0)
    )
    cut_bound = (
        select(func.coalesce(func.sum(weighted.c.idf * (k1 + 1)), _float(0.0)))
        .where(weighted.c.cut)
        .scalar_subquery()
    )
    candidates = (
        select(
            walked.c.note_id,
            whole.label("whole"),
            partial.label("partial"),
            (partial + cut_bound - seen_cut).label("upper"),
        )
        .select_from(weighted.join(stats_cte, true()).join(walked, true()))
        .group_by(walked.c.note_id)
        .order_by(partial.desc(), walked.c.note_id)
        .limit(max(4 * k, RESCORE_DEPTH))
        .cte("keyword_candidates")
    )
    # The walk's sum is a lower bound of a candidate's score, `upper` an upper one. Only a
    # candidate whose upper bound reaches the k-th best lower bound can be among the k
    # best: the others keep their lower bound and are never shown (fewer than k
    # candidates: every one is rescored).
    kth = (
        select(candidates.c.partial)
        .order_by(candidates.c.partial.desc())
        .offset(k - 1)
        .limit(1)
        .scalar_subquery()
    )
    bounded = select(
        candidates.c.note_id,
        candidates.c.whole,
        candidates.c.partial,
        (candidates.c.upper >= func.coalesce(kth, _float(0.0))).label("rescore"),
    ).cte("keyword_bounded")
    # A rescored candidate may have missed some postings of a term the walk cut: those terms
    # are read again for it by primary key (note_id, term_id), so the final ranking is exact
    # BM25 among the candidates. (Joining the candidates to every posting of every term
    # instead made the planner read whole posting lists: 63,763 index tuples for "the
    # regulation of Neural Stem Cell" at 100k notes, half of the statement.)
    every = aliased(Bm25PostingRow, name="every_posting")
    probe = (
        select(every.tf_title, every.tf_body, every.len_title, every.len_body)
        .where(every.term_id == weighted.c.id, every.note_id == bounded.c.note_id)
        .correlate(weighted, bounded)  # two levels up: not found by auto-correlation
        .limit(1)
        .lateral("probe")
    )
    missed = (
        select(func.sum(_contribution(probe.c)).label("missed"))
        .select_from(weighted.join(probe, true()).join(stats_cte, true()))
        .where(weighted.c.cut, bounded.c.rescore)
        .lateral("missed")
    )
    rescored = func.coalesce(bounded.c.whole, _float(0.0)) + func.coalesce(
        missed.c.missed, _float(0.0)
    )
    exact = case((bounded.c.rescore, rescored), else_=bounded.c.partial)
    # The query's highest possible score: every lexeme of the query (in the language
    # whose lexemes weigh most), found or not (a word no note holds has df 0).
    every_term = aliased(Bm25TermRow, name="every_term")
    lexeme_joins = query_lexemes.outerjoin(every_term, every_term.term == query_lexemes.c.term)
    if background is not None:
        lexeme_joins = lexeme_joins.outerjoin(background, background.c.term == query_lexemes.c.term)
    lexeme_idf = _idf(
        stats_cte.c.doc_count,
        func.coalesce(every_term.df, 0),
        background.c.fraction if background is not None else None,
        tuning.background_docs,
    )
    per_language = (
        select(func.sum(lexeme_idf).label("idf"))
        .select_from(lexeme_joins.join(stats_cte, true()))
        .group_by(query_lexemes.c.config)
        .subquery("query_idf")
    )
    ceiling = select(func.max(per_language.c.idf) * (k1 + 1)).scalar_subquery()
    return (
        select(bounded.c.note_id, exact.label("score"), ceiling.label("ceiling"))
        .select_from(bounded.join(missed, true()))
        .order_by(exact.desc(), bounded.c.note_id)
        .limit(k)
        .cte("keyword")
    )


# ---------------------------------------------------------------------------- fusion


def _min_max(cte: CTE, score: ColumnElement[Any]) -> ColumnElement[Any]:
    low, high = func.min(score).over(), func.max(score).over()
    return func.coalesce((score - low) / func.nullif(high - low, 0), _float(1.0))


def _rrf(cte: CTE, score: ColumnElement[Any], tuning: SearchTuning) -> ColumnElement[Any]:
    rank = func.row_number().over(order_by=(score.desc(), cte.c.note_id))
    return 1.0 / (tuning.rrf_k + rank)


def _clamped(value: ColumnElement[Any]) -> ColumnElement[Any]:
    return func.greatest(_float(0.0), func.least(_float(1.0), value))


def _blended(
    absolute: ColumnElement[Any], relative: ColumnElement[Any], tuning: SearchTuning
) -> ColumnElement[Any]:
    """α · absolute + (1 − α) · per-query min-max, α = C / (N + C) with C =
    `calibration_docs` and N the notes: a small corpus, where a list is often weak, is
    scored absolutely; a large one mostly relatively, as tuned on SciFact. (C = 0: min-max.)"""
    if tuning.calibration_docs <= 0:
        return relative
    c = _float(tuning.calibration_docs)
    n = select(collection_stats().c.doc_count).scalar_subquery()
    alpha = c / (n + c)
    return alpha * absolute + (1 - alpha) * relative


def _semantic_part(cte: CTE, tuning: SearchTuning) -> ColumnElement[Any]:
    """The semantic side's fusion input. "calibrated": the cosine similarity mapped
    linearly from [similarity_low, similarity_high] to [0, 1] (clamped): the same for
    every query, so a weak list stays weak. "minmax": per-query min-max."""
    sim = cte.c.similarity
    if tuning.fusion == "rrf":
        return _rrf(cte, sim, tuning)
    if tuning.semantic_scale == "calibrated":
        low, high = tuning.similarity_low, tuning.similarity_high
        return _blended(
            _clamped((sim - _float(low)) / _float(high - low)), _min_max(cte, sim), tuning
        )
    return _min_max(cte, sim)


def _keyword_part(cte: CTE, tuning: SearchTuning) -> ColumnElement[Any]:
    """The keyword side's fusion input. "ceiling": BM25 over the query's highest possible
    score (Σ idf · (k1 + 1)), divided by `keyword_ceiling_share` (what a note that holds
    the whole query typically reaches), clamped and raised to `keyword_exponent`: a note
    matching one common word of the query stays low. "minmax": per-query min-max."""
    if tuning.fusion == "rrf":
        return _rrf(cte, cte.c.score, tuning)
    if tuning.keyword_scale == "ceiling":
        share = _float(tuning.keyword_ceiling_share)
        coverage = _clamped(cte.c.score / func.nullif(cte.c.ceiling * share, 0))
        absolute = func.power(coverage, _float(tuning.keyword_exponent))
        return _blended(absolute, _min_max(cte, cte.c.score), tuning)
    return _min_max(cte, cte.c.score)


def _fused_cte(semantic: CTE, keyword: CTE, tuning: SearchTuning) -> CTE:
    """Both lists joined; a note missing from one list scores 0 on that side."""
    sem = select(
        semantic.c.note_id,
        semantic.c.chunk_id,
        semantic.c.similarity,
        _semantic_part(semantic, tuning).label("part"),
    ).cte("semantic_part")
    kw = select(
        keyword.c.note_id,
        keyword.c.score,
        _keyword_part(keyword, tuning).label("part"),
    ).cte("keyword_part")
    if tuning.fusion == "rrf":
        semantic_weight, keyword_weight = 1.0, 1.0
    else:
        semantic_weight, keyword_weight = tuning.semantic_weight, 1 - tuning.semantic_weight
    fused = _float(semantic_weight) * func.coalesce(sem.c.part, 0) + _float(
        keyword_weight
    ) * func.coalesce(kw.c.part, 0)
    return (
        select(
            func.coalesce(sem.c.note_id, kw.c.note_id).label("note_id"),
            sem.c.chunk_id,
            sem.c.similarity,
            kw.c.score.label("keyword_score"),
            fused.label("score"),
        )
        .select_from(sem.join(kw, sem.c.note_id == kw.c.note_id, full=True))
        .cte("fused")
    )


def _with_exact(ranked: CTE, exact: Select[Any] | None, score: str) -> CTE:
    """`ranked` with an `exact` column; a note whose title is the query is added when
    neither list found it (then its scores are NULL, its ranking score 0)."""
    if exact is None:
        return select(ranked, literal(False).label("exact")).select_from(ranked).cte("ranked")
    exact_cte = exact.cte("exact_titles")
    columns = [
        func.coalesce(ranked.c.note_id, exact_cte.c.note_id).label("note_id"),
        *(col for col in ranked.c if col.name not in ("note_id", score)),
        func.coalesce(ranked.c[score], _float(0.0)).label(score),
        (exact_cte.c.note_id.is_not(None)).label("exact"),
    ]
    return (
        select(*columns)
        .select_from(ranked.join(exact_cte, exact_cte.c.note_id == ranked.c.note_id, full=True))
        .cte("ranked")
    )


# ------------------------------------------------------------------------ final rows


def _page(
    ranked: CTE,
    k: int,
    offset: int,
    *,
    chunk: ColumnElement[Any] | None,
    similarity: ColumnElement[Any] | None,
    keyword_score: ColumnElement[Any] | None,
    score: ColumnElement[Any],
    exact: ColumnElement[Any] | None = None,
    ceiling: ColumnElement[Any] | None = None,
    languages: bool = False,
) -> Select[Any]:
    """One page of `ranked` with the title and the passage a snippet is cut from; exact
    title matches first. `languages`: with the languages present (an array column)."""
    passage = (
        func.coalesce(NoteChunkRow.text, func.left(NoteRow.body, PASSAGE_CHARS))
        if chunk is not None
        else func.left(NoteRow.body, PASSAGE_CHARS)
    )
    exact_column = exact if exact is not None else literal(False)
    stmt = select(
        ranked.c.note_id,
        NoteRow.title,
        passage.label("passage"),
        score.label("score"),
        (similarity if similarity is not None else literal(None)).label("similarity"),
        (keyword_score if keyword_score is not None else literal(None)).label("keyword_score"),
        exact_column.label("exact"),
        NoteRow.text_config.label("language"),
        (ceiling if ceiling is not None else literal(None)).label("ceiling"),
        *([languages_column().label("languages")] if languages else []),
    ).join(NoteRow, and_(NoteRow.id == ranked.c.note_id, LIVE))
    if chunk is not None:
        stmt = stmt.outerjoin(NoteChunkRow, NoteChunkRow.id == chunk)
    order = (exact_column.desc(), score.desc(), ranked.c.note_id)
    return stmt.order_by(*(order if exact is not None else order[1:])).limit(k).offset(offset)


def _rows(result: Any) -> list[ScoredNote]:
    return _scored(result.all())


def _scored(rows: Sequence[Any]) -> list[ScoredNote]:
    return [
        ScoredNote(
            note_id=r.note_id,
            title=r.title,
            score=float(r.score),
            snippet=r.passage or "",
            semantic_score=None if r.similarity is None else float(r.similarity),
            keyword_score=None if r.keyword_score is None else float(r.keyword_score),
            exact=bool(r.exact),
            language=r.language,
            keyword_ceiling=None if r.ceiling is None else float(r.ceiling),
        )
        for r in rows
    ]


def _vector_search_setup(
    session: Session,
    vector: Sequence[float],
    k: int,
    filtered: SearchFilter,
    expected_model: str | None,
    tuning: SearchTuning,
) -> FilterWay:
    """SET LOCAL the scan settings, check the model; how to meet the filter, from the
    number of notes passing it. The count is an index-only scan (migration 0016): ~1 ms
    for 5,001 notes."""
    ef_search = max(tuning.ef_search, k * tuning.chunks_per_note)
    recorded, way = _prepare_vector_scan(session, min(ef_search, 1000), filtered, tuning)
    _check_model(recorded, expected_model, len(vector))
    return way


# ------------------------------------------------------------- statements built once
# A search statement is built from its shape (mode, languages, prefix, background, exact
# title, depth, page, tuning) and takes the query's values as named parameters. Without
# a filter the shapes are few and each is built once per process (lru_cache): the same
# statement object also keeps its SQLAlchemy cache key, so neither building nor compiling
# is paid again (a third of a keyword search at 100k notes before, docs/PERFORMANCE.md).
# A filter is one more part of the shape (`search_filter.FilterShape`: how many tags,
# a project, which date bounds), its values parameters too; only a query with phrases or
# excluded words (inlined in its filter) has its statement built per search.

_STATEMENTS = 512


def _exact_params(parsed: SearchQuery) -> dict[str, Any]:
    key = title_key(parsed.text)
    return {"title_key": key} if key else {}


def _semantic_select(
    dimension: int,
    k: int,
    offset: int,
    tuning: SearchTuning,
    filtered: Select[Any] | None = None,
    way: FilterWay = FilterWay.PLAIN,
) -> Select[Any]:
    semantic = _semantic_cte(dimension, offset + k, tuning, filter_tests(filtered, way))
    return _page(
        semantic,
        k,
        offset,
        chunk=semantic.c.chunk_id,
        similarity=semantic.c.similarity,
        keyword_score=None,
        score=semantic.c.similarity,
    )


def _keyword_select(
    shape: KeywordShape,
    with_exact: bool,
    k: int,
    offset: int,
    tuning: SearchTuning,
    filtered: Select[Any] | None = None,
) -> Select[Any]:
    # Without a vector scan nothing counts the filter: it is tested as a plain subquery.
    passes = filter_tests(filtered, FilterWay.PLAIN).note
    keyword = _keyword_cte(shape, offset + k, tuning, passes)
    exact_ids = restrict_exact(exact_match_ids(), passes) if with_exact else None
    ranked = _with_exact(keyword, exact_ids, "score")
    return _page(
        ranked,
        k,
        offset,
        chunk=None,
        similarity=None,
        keyword_score=ranked.c.score,
        score=ranked.c.score,
        exact=ranked.c.exact,
        ceiling=ranked.c.ceiling,
        languages=True,
    )


def _hybrid_select(
    dimension: int,
    shape: KeywordShape,
    with_exact: bool,
    depth: int,
    k: int,
    offset: int,
    tuning: SearchTuning,
    filtered: Select[Any] | None = None,
    way: FilterWay = FilterWay.PLAIN,
) -> Select[Any]:
    tests = filter_tests(filtered, way)
    fused = _fused_cte(
        _semantic_cte(dimension, depth, tuning, tests),
        _keyword_cte(shape, depth, tuning, tests.note),
        tuning,
    )
    exact_ids = restrict_exact(exact_match_ids(), tests.note) if with_exact else None
    ranked = _with_exact(fused, exact_ids, "score")
    return _page(
        ranked,
        k,
        offset,
        chunk=ranked.c.chunk_id,
        similarity=ranked.c.similarity,
        keyword_score=ranked.c.keyword_score,
        score=ranked.c.score,
        exact=ranked.c.exact,
        languages=True,
    )


def _filter_of(shape: FilterShape | None) -> Select[Any] | None:
    return None if shape is None else filter_select(shape)


@lru_cache(maxsize=_STATEMENTS)
def _semantic_statement(
    dimension: int,
    k: int,
    offset: int,
    tuning: SearchTuning,
    shape: FilterShape | None = None,
    way: FilterWay = FilterWay.PLAIN,
) -> Select[Any]:
    return _semantic_select(dimension, k, offset, tuning, _filter_of(shape), way)


@lru_cache(maxsize=_STATEMENTS)
def _keyword_statement(
    shape: KeywordShape,
    with_exact: bool,
    k: int,
    offset: int,
    tuning: SearchTuning,
    filter_shape: FilterShape | None = None,
) -> Select[Any]:
    return _keyword_select(shape, with_exact, k, offset, tuning, _filter_of(filter_shape))


@lru_cache(maxsize=_STATEMENTS)
def _hybrid_statement(
    dimension: int,
    shape: KeywordShape,
    with_exact: bool,
    depth: int,
    k: int,
    offset: int,
    tuning: SearchTuning,
    filter_shape: FilterShape | None = None,
    way: FilterWay = FilterWay.PLAIN,
) -> Select[Any]:
    filtered = _filter_of(filter_shape)
    return _hybrid_select(dimension, shape, with_exact, depth, k, offset, tuning, filtered, way)


# ------------------------------------------------------------------ languages present
# The keyword side stems the query in every language of the stored notes. They are
# remembered per database, and every keyword or hybrid statement reports, as a column,
# the languages present in its own snapshot: when they differ from the ones it was built
# with (a note in a new language was saved, by any process), the search runs again with
# them. A search with no rows cannot report them and asks in a statement of its own.
# Either way the languages are read in the search's transaction, as they were before.

_KNOWN_LANGUAGES: dict[str, tuple[str, ...]] = {}


def in_languages_present(
    session: Session, search: Callable[[tuple[str, ...]], Sequence[Any]]
) -> Sequence[Any]:
    """`search(configs)`'s rows (they carry a `languages` column) for the languages
    present."""
    bind = session.get_bind()
    database = bind.engine.url.render_as_string(hide_password=True)
    known = _KNOWN_LANGUAGES.get(database)
    configs = tuple(languages_present(session)) if known is None else known
    rows = search(configs)
    if rows:
        found = tuple(valid_config(c) for c in rows[0].languages)
    else:  # just read in this transaction, or asked now
        found = configs if known is None else tuple(languages_present(session))
    _KNOWN_LANGUAGES[database] = found
    return rows if found == configs else search(found)


# ------------------------------------------------------------------------- searches


def nearest_chunks(
    session: Session,
    vector: Sequence[float],
    k: int,
    filters: NoteFilter = NO_FILTER,
    *,
    offset: int = 0,
    expected_model: str | None = None,
    tuning: SearchTuning = DEFAULT_TUNING,
    query: str = "",
) -> list[ScoredNote]:
    """Notes by their best chunk's cosine similarity (HNSW; exact for a small filter).
    `query` (when given) brings its phrases and excluded words as restrictions."""
    depth = offset + k
    filtered = search_filter(filters, SearchQuery.parse(query))
    way = _vector_search_setup(session, vector, depth, filtered, expected_model, tuning)
    if filtered.cached:
        stmt = _semantic_statement(len(vector), k, offset, tuning, filtered.shape, way)
    else:
        stmt = _semantic_select(len(vector), k, offset, tuning, filtered.select, way)
    return _rows(session.execute(stmt, filtered.params | {"query_vector": list(vector)}))


def keyword_rank(
    session: Session,
    query: str,
    k: int,
    filters: NoteFilter = NO_FILTER,
    *,
    offset: int = 0,
    tuning: SearchTuning = DEFAULT_TUNING,
) -> list[ScoredNote]:
    """Notes by BM25 over their lexemes, in every language present; a note whose title
    is the query first. One statement (two when the languages present changed)."""
    parsed = SearchQuery.parse(query)
    filtered = search_filter(filters, parsed)
    exact_params = _exact_params(parsed)
    connection = session.connection()

    def search(configs: tuple[str, ...]) -> Sequence[Any]:
        shape, params = keyword_params(parsed.text, configs, tuning)
        with_exact = bool(exact_params)
        if filtered.cached:
            stmt = _keyword_statement(shape, with_exact, k, offset, tuning, filtered.shape)
        else:
            stmt = _keyword_select(shape, with_exact, k, offset, tuning, filtered.select)
        # On the session's connection, past the ORM: the statement loads no entities, and
        # the ORM's execution path was ~0.1 ms of a call (docs/PERFORMANCE.md, issue 12).
        return connection.execute(stmt, params | exact_params | filtered.params).all()

    return _scored(in_languages_present(session, search))


def hybrid_rank(
    session: Session,
    vector: Sequence[float],
    query: str,
    k: int,
    filters: NoteFilter = NO_FILTER,
    *,
    offset: int = 0,
    expected_model: str | None = None,
    tuning: SearchTuning = DEFAULT_TUNING,
) -> list[ScoredNote]:
    """Semantic and BM25 lists, each `candidates` deep, fused in the same statement; a
    note whose title is the query first."""
    parsed = SearchQuery.parse(query)
    depth = max(tuning.candidates, offset + k)
    filtered = search_filter(filters, parsed)
    way = _vector_search_setup(session, vector, depth, filtered, expected_model, tuning)
    exact_params = _exact_params(parsed)

    def search(configs: tuple[str, ...]) -> Sequence[Any]:
        shape, params = keyword_params(parsed.text, configs, tuning)
        params |= exact_params | filtered.params | {"query_vector": list(vector)}
        with_exact = bool(exact_params)
        parts = (len(vector), shape, with_exact, depth, k, offset, tuning)
        if filtered.cached:
            stmt = _hybrid_statement(*parts, filtered.shape, way)
        else:
            stmt = _hybrid_select(*parts, filtered.select, way)
        return session.execute(stmt, params).all()

    return _scored(in_languages_present(session, search))


# --------------------------------------------------------------------- related notes


def _related(
    target: ColumnElement[Any], k: int, exclude_note_id: int | None, tuning: SearchTuning
) -> Select[Any]:
    distance = NoteRow.embedding.cosine_distance(target)
    stmt = select(
        NoteRow.id.label("note_id"),
        NoteRow.title,
        func.left(NoteRow.body, 200).label("passage"),
        (1 - distance).label("score"),
        (1 - distance).label("similarity"),
        literal(None).label("keyword_score"),
        literal(False).label("exact"),
        NoteRow.text_config.label("language"),
        literal(None).label("ceiling"),
    ).where(NoteRow.embedding.is_not(None), LIVE)
    if exclude_note_id is not None:
        stmt = stmt.where(NoteRow.id != exclude_note_id)
    return stmt.order_by(distance).limit(k)


def _set_ef_search(k: int, tuning: SearchTuning) -> Select[Any]:
    return select(
        func.set_config("hnsw.ef_search", str(max(tuning.related_ef_search, k)), True),
        func.set_config("enable_seqscan", "off", True),  # see _prepare_vector_scan
    )


def nearest_notes(
    session: Session,
    vector: Sequence[float],
    k: int,
    exclude_note_id: int | None = None,
    tuning: SearchTuning = DEFAULT_TUNING,
) -> list[ScoredNote]:
    """Notes whose vector (the mean of their chunks) is closest: related to a draft."""
    session.execute(_set_ef_search(k, tuning))
    target = bindparam("query_vector", list(vector), type_=Vector(len(vector)))
    return _rows(session.execute(_related(target, k, exclude_note_id, tuning)))


def related_to_note(
    session: Session, note_id: int, k: int, tuning: SearchTuning = DEFAULT_TUNING
) -> list[ScoredNote] | None:
    """Notes nearest to a stored note, itself excluded; None when the note does not exist.

    The note's own vector is an InitPlan of the query, so HNSW orders by it directly."""
    has_vector = (
        select(NoteRow.embedding.is_not(None)).where(NoteRow.id == note_id).scalar_subquery()
    )
    found = session.execute(
        select(
            func.set_config("hnsw.ef_search", str(max(tuning.related_ef_search, k)), True),
            func.set_config("enable_seqscan", "off", True),  # see _prepare_vector_scan
            has_vector,
        )
    ).one()[2]
    if found is None:
        return None
    if not found:
        return []
    target = select(NoteRow.embedding).where(NoteRow.id == note_id).scalar_subquery()
    return _rows(session.execute(_related(target, k, note_id, tuning)))
