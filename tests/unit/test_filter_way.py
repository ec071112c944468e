"""How a search meets its filter follows the number of notes passing it and their share."""

from __future__ import annotations

from pkm_core.infrastructure.persistence.search_filter import FilterWay, filter_way

EXACT_LIMIT, LARGE, SHARE = 5000, 1000, 0.3


def way(passing: int, share: float | None) -> FilterWay:
    return filter_way(passing, share, EXACT_LIMIT, LARGE, SHARE)


def test_a_filter_of_few_notes_is_scored_exactly_whatever_its_share() -> None:
    assert way(0, None) is FilterWay.EXACT
    assert way(EXACT_LIMIT, 0.9) is FilterWay.EXACT


def test_a_large_filter_up_to_the_probe_share_is_hashed() -> None:
    assert way(EXACT_LIMIT + 1, 0.1) is FilterWay.HASHED
    assert way(EXACT_LIMIT + 1, SHARE) is FilterWay.HASHED  # the share itself is not more


def test_a_filter_passing_more_than_the_probe_share_is_probed() -> None:
    assert way(EXACT_LIMIT + 1, 0.31) is FilterWay.PROBED
    assert way(EXACT_LIMIT + 1, 0.6) is FilterWay.PROBED


def test_a_filter_with_no_estimate_is_never_probed() -> None:
    assert way(EXACT_LIMIT + 1, None) is FilterWay.HASHED


def test_a_mid_sized_filter_below_the_large_mark_is_a_plain_subquery() -> None:
    assert filter_way(500, 0.005, 0, LARGE, SHARE) is FilterWay.PLAIN
    assert filter_way(500, 0.5, 0, LARGE, SHARE) is FilterWay.PROBED
