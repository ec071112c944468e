"""Fusing a semantic and a keyword ranking into one list.

The database does this inside the hybrid search statement (search_operations.py); this
is the same arithmetic in Python, the reference the SQL is tested against and what the
in-memory fakes use. Both lists are `candidates` deep before fusion.

- "minmax" (default): each list's scores are turned into a part in [0, 1] and combined
  as w * semantic + (1 - w) * keyword; a note missing from a list scores 0 on that side.
  The semantic part is the calibrated similarity (fixed bounds, `semantic_scale`
  "calibrated") or the per-query min-max; the keyword part the share of the query's
  highest possible BM25 score raised to `keyword_exponent` (`keyword_scale` "ceiling") or
  the per-query min-max (docs/SEARCH.md).
- "rrf": reciprocal rank fusion, sum of 1 / (k + rank) over the lists.
"""

from __future__ import annotations

from dataclasses import replace

from pkm_core.application.dto import DEFAULT_TUNING, ScoredNote, SearchTuning


def _min_max(rows: list[ScoredNote]) -> dict[int, float]:
    if not rows:
        return {}
    scores = [r.score for r in rows]
    low, high = min(scores), max(scores)
    span = high - low
    return {r.note_id: (r.score - low) / span if span > 0 else 1.0 for r in rows}


def _clamp(value: float) -> float:
    return max(0.0, min(1.0, value))


def _blend(
    absolute: dict[int, float], rows: list[ScoredNote], tuning: SearchTuning, notes: int
) -> dict[int, float]:
    """α · absolute + (1 − α) · min-max, α = C / (notes + C) (C = calibration_docs)."""
    if tuning.calibration_docs <= 0:
        return _min_max(rows)
    alpha = tuning.calibration_docs / (notes + tuning.calibration_docs)
    relative = _min_max(rows)
    return {i: alpha * absolute[i] + (1 - alpha) * relative[i] for i in absolute}


def _semantic_parts(rows: list[ScoredNote], tuning: SearchTuning, notes: int) -> dict[int, float]:
    if tuning.semantic_scale != "calibrated":
        return _min_max(rows)
    low, high = tuning.similarity_low, tuning.similarity_high
    absolute = {r.note_id: _clamp((r.score - low) / (high - low)) for r in rows}
    return _blend(absolute, rows, tuning, notes)


def _keyword_parts(rows: list[ScoredNote], tuning: SearchTuning, notes: int) -> dict[int, float]:
    if tuning.keyword_scale != "ceiling":
        return _min_max(rows)
    share = tuning.keyword_ceiling_share
    absolute = {
        r.note_id: _clamp(r.score / (r.keyword_ceiling * share)) ** tuning.keyword_exponent
        if r.keyword_ceiling
        else 0.0
        for r in rows
    }
    return _blend(absolute, rows, tuning, notes)


def _reciprocal_ranks(rows: list[ScoredNote], k: int) -> dict[int, float]:
    ordered = sorted(rows, key=lambda r: (-r.score, r.note_id))
    return {r.note_id: 1.0 / (k + rank) for rank, r in enumerate(ordered, start=1)}


def fuse(
    semantic: list[ScoredNote],
    keyword: list[ScoredNote],
    tuning: SearchTuning = DEFAULT_TUNING,
    notes: int = 0,
) -> list[ScoredNote]:
    """One ranked list; a row keeps the semantic snippet (best chunk) when it has one.
    `notes`: how many notes the corpus holds (it sets how absolute the parts are)."""
    if tuning.fusion == "rrf":
        sem, kw = (_reciprocal_ranks(rows, tuning.rrf_k) for rows in (semantic, keyword))
        w_sem = w_kw = 1.0
    else:
        sem = _semantic_parts(semantic, tuning, notes)
        kw = _keyword_parts(keyword, tuning, notes)
        w_sem, w_kw = tuning.semantic_weight, 1 - tuning.semantic_weight
    by_id: dict[int, ScoredNote] = {row.note_id: row for row in keyword}
    for row in semantic:
        other = by_id.get(row.note_id)
        by_id[row.note_id] = replace(row, keyword_score=other.keyword_score if other else None)
    fused = [
        replace(row, score=w_sem * sem.get(note_id, 0.0) + w_kw * kw.get(note_id, 0.0))
        for note_id, row in by_id.items()
    ]
    return sorted(fused, key=lambda r: (-r.score, r.note_id))


def fuse_min_max(
    semantic: list[ScoredNote], keyword: list[ScoredNote], weight: float = 0.5
) -> list[ScoredNote]:
    """Convex combination of min-max normalised scores; absent from a list counts as 0."""
    tuning = replace(
        DEFAULT_TUNING,
        fusion="minmax",
        semantic_weight=weight,
        semantic_scale="minmax",
        keyword_scale="minmax",
    )
    return fuse(semantic, keyword, tuning)
