"""Fusion of a semantic and a keyword list (the Python reference of the SQL)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pkm_core.application.dto import DEFAULT_TUNING, ScoredNote
from pkm_core.application.fusion import fuse, fuse_min_max


def row(note_id: int, score: float, kind: str) -> ScoredNote:
    if kind == "semantic":
        return ScoredNote(note_id, f"n{note_id}", score, f"chunk {note_id}", semantic_score=score)
    return ScoredNote(note_id, f"n{note_id}", score, f"body {note_id}", keyword_score=score)


SEMANTIC = [row(1, 1.0, "semantic"), row(2, 0.75, "semantic"), row(3, 0.5, "semantic")]
KEYWORD = [row(3, 12.0, "keyword"), row(4, 8.0, "keyword"), row(1, 4.0, "keyword")]


def test_min_max_fusion_is_a_convex_combination_of_normalised_scores() -> None:
    fused = {r.note_id: r.score for r in fuse_min_max(SEMANTIC, KEYWORD, weight=0.5)}
    assert fused == pytest.approx({1: 0.5, 2: 0.25, 3: 0.5, 4: 0.25})


def test_a_note_missing_from_one_list_scores_zero_on_that_side() -> None:
    fused = {r.note_id: r.score for r in fuse_min_max(SEMANTIC, KEYWORD, weight=0.8)}
    assert fused[2] == pytest.approx(0.8 * 0.5)  # semantic only
    assert fused[4] == pytest.approx(0.2 * 0.5)  # keyword only


def test_a_list_whose_scores_are_all_equal_counts_as_fully_matching() -> None:
    fused = fuse_min_max([row(1, 0.3, "semantic")], [row(1, 2.0, "keyword")], weight=0.5)
    assert [(r.note_id, r.score) for r in fused] == [(1, 1.0)]


def test_ties_are_broken_by_note_id_and_the_best_comes_first() -> None:
    fused = fuse_min_max(SEMANTIC, KEYWORD, weight=0.5)
    assert [r.note_id for r in fused] == [1, 3, 2, 4]


def test_a_fused_row_keeps_the_semantic_snippet_and_both_scores() -> None:
    fused = {r.note_id: r for r in fuse_min_max(SEMANTIC, KEYWORD)}
    assert fused[1].snippet == "chunk 1"
    assert (fused[1].semantic_score, fused[1].keyword_score) == (1.0, 4.0)
    assert (fused[4].semantic_score, fused[4].keyword_score) == (None, 8.0)


def test_reciprocal_rank_fusion_adds_one_over_k_plus_rank() -> None:
    tuning = replace(DEFAULT_TUNING, fusion="rrf", rrf_k=60)
    fused = {r.note_id: r.score for r in fuse(SEMANTIC, KEYWORD, tuning)}
    assert fused[1] == pytest.approx(1 / 61 + 1 / 63)
    assert fused[3] == pytest.approx(1 / 63 + 1 / 61)
    assert fused[2] == pytest.approx(1 / 62)


def test_fusing_with_an_empty_keyword_list_keeps_the_semantic_order() -> None:
    assert [r.note_id for r in fuse(SEMANTIC, [])] == [1, 2, 3]


def test_calibrated_fusion_keeps_a_weak_list_weak() -> None:
    # The best of a weak semantic list stays weak; one common word of a long query stays low.
    tuning = replace(DEFAULT_TUNING, similarity_low=0.2, similarity_high=0.6, calibration_docs=1e9)
    semantic = [row(1, 0.3, "semantic"), row(2, 0.25, "semantic")]
    keyword = [replace(row(2, 2.0, "keyword"), keyword_ceiling=20.0)]
    fused = {r.note_id: r.score for r in fuse(semantic, keyword, tuning)}
    assert fused[1] == pytest.approx(0.5 * 0.25)
    assert fused[2] == pytest.approx(0.5 * 0.125 + 0.5 * (2.0 / (20.0 * 0.5)) ** 2)
    assert fused[1] > fused[2]


def test_in_a_large_corpus_the_parts_lean_towards_per_query_min_max() -> None:
    tuning = replace(DEFAULT_TUNING, similarity_low=0.2, similarity_high=0.6)
    semantic = [row(1, 0.3, "semantic"), row(2, 0.25, "semantic")]
    alpha = tuning.calibration_docs / (9000 + tuning.calibration_docs)
    fused = {r.note_id: r.score for r in fuse(semantic, [], tuning, notes=9000)}
    assert fused[1] == pytest.approx(0.5 * (alpha * 0.25 + (1 - alpha) * 1.0))
    assert fused[2] == pytest.approx(0.5 * (alpha * 0.125 + (1 - alpha) * 0.0))
