"""Fusing a semantic and a keyword ranking into one list."""

from __future__ import annotations

from dataclasses import replace

from pkm_core.application.dto import ScoredNote

# Tuned on BEIR SciFact (see docs/SEARCH.md): the weight of the semantic side.
SEMANTIC_WEIGHT = 0.5


def _min_max(rows: list[ScoredNote]) -> dict[int, float]:
    if not rows:
        return {}
    scores = [r.score for r in rows]
    low, high = min(scores), max(scores)
    span = high - low
    return {r.note_id: (r.score - low) / span if span > 0 else 1.0 for r in rows}


def fuse_min_max(
    semantic: list[ScoredNote], keyword: list[ScoredNote], weight: float = SEMANTIC_WEIGHT
) -> list[ScoredNote]:
    """Convex combination of min-max normalised scores; absent from a list counts as 0."""
    sem, kw = _min_max(semantic), _min_max(keyword)
    by_id: dict[int, ScoredNote] = {}
    for row in keyword:
        by_id[row.note_id] = row
    for row in semantic:
        other = by_id.get(row.note_id)
        # Prefer the semantic snippet (the best chunk); keep the keyword score for "why".
        by_id[row.note_id] = replace(row, keyword_score=other.keyword_score if other else None)
    fused = [
        replace(
            row,
            score=weight * sem.get(note_id, 0.0) + (1 - weight) * kw.get(note_id, 0.0),
        )
        for note_id, row in by_id.items()
    ]
    return sorted(fused, key=lambda r: (-r.score, r.note_id))
