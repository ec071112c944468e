"""How a search meets its filter follows the number of notes passing it."""

from __future__ import annotations

from pkm_core.infrastructure.persistence.search_filter import FilterWay, filter_way

EXACT_LIMIT, LARGE, SHARE = 5000, 1000, 0.3


def way(passing: int, doc_count: int = 100_000) -> FilterWay:
    return filter_way(passing, doc_count, EXACT_LIMIT, LARGE, SHARE)


def test_a_filter_of_few_notes_is_scored_exactly() -> None:
    assert way(0) is FilterWay.EXACT
    assert way(EXACT_LIMIT) is FilterWay.EXACT


def test_a_large_filter_under_the_probe_share_is_hashed() -> None:
    assert way(EXACT_LIMIT + 1) is FilterWay.HASHED
    assert way(30_000) is FilterWay.HASHED  # exactly the share is not more than it


def test_a_filter_passing_more_than_the_probe_share_is_probed() -> None:
    assert way(30_001) is FilterWay.PROBED
    assert way(60_000) is FilterWay.PROBED


def test_in_a_small_collection_the_exact_limit_comes_before_the_share() -> None:
    assert way(3_000, doc_count=4_000) is FilterWay.EXACT
    assert way(4_000, doc_count=4_000) is FilterWay.EXACT


def test_a_mid_sized_filter_below_the_large_mark_is_a_plain_subquery() -> None:
    assert filter_way(500, 100_000, 0, LARGE, SHARE) is FilterWay.PLAIN
    assert filter_way(500, 1_000, 0, LARGE, SHARE) is FilterWay.PROBED
