"""Blending related notes: meaning, links and shared keywords, the person's pins first.

    relatedness = similarity + link_weight · link + keyword_weight · keywords

`similarity` is the cosine of the two notes' vectors, `link` 1 for a direct [[link]]
either way and 0.5 for two links away, `keywords` the Jaccard share of their keywords.
The weights (SearchTuning) were measured on the labelled set of short notes
(benchmarks/calibrate_floors.py, docs/SEARCH.md). A note is *weak* when its similarity
is below the related-notes floor and nothing else (a link, a shared keyword, a pin)
speaks for it.
"""

from __future__ import annotations

from pkm_core.application.dto import RelatedCandidate, RelatedNote, RelatedWhy, SearchTuning

LINK_SHARE = {"direct": 1.0, "two-step": 0.5, "": 0.0}


def relatedness(candidate: RelatedCandidate, tuning: SearchTuning) -> float:
    keywords = (
        len(candidate.shared_keywords) / candidate.keyword_union if candidate.keyword_union else 0.0
    )
    return (
        (candidate.similarity or 0.0)
        + tuning.related_link_weight * LINK_SHARE[candidate.link]
        + tuning.related_keyword_weight * keywords
    )


def is_weak(candidate: RelatedCandidate, tuning: SearchTuning) -> bool:
    if candidate.pinned or candidate.link or candidate.shared_keywords:
        return False
    return (candidate.similarity or 0.0) < tuning.related_floor


def blend(
    candidates: list[RelatedCandidate], limit: int, tuning: SearchTuning
) -> list[RelatedNote]:
    """The `limit` most related, pinned first; strong ones before weak ones."""
    ranked = sorted(
        candidates,
        key=lambda c: (not c.pinned, is_weak(c, tuning), -relatedness(c, tuning), c.note_id),
    )
    return [
        RelatedNote(
            c.note_id,
            c.title,
            c.similarity or 0.0,
            score=relatedness(c, tuning),
            why=RelatedWhy(shared_keywords=c.shared_keywords, link=c.link, via=c.via),
            weak=is_weak(c, tuning),
            pinned=c.pinned,
        )
        for c in ranked[:limit]
    ]
