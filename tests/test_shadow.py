"""The shadow divergence per task, against hand computations."""

from __future__ import annotations

import pytest

from controlplane.shadow import Tally, compare, top_k_overlap


def tally(task: str, pairs: list[tuple[object, object]]) -> Tally:
    counted = Tally()
    for stable, candidate in pairs:
        counted.add(compare(task, stable, candidate))  # type: ignore[arg-type]
    return counted


def test_classification_is_the_disagreement_rate() -> None:
    # labels, scores against 0.5 and probability lists: 2 of 5 requests disagree
    pairs: list[tuple[object, object]] = [
        ("fraud", "fraud"),
        ("fraud", "legit"),
        (0.7, 0.55),  # both at or above 0.5: agree
        (0.49, 0.51),  # disagree
        ([0.2, 0.8], [0.3, 0.7]),  # both class 1
    ]
    counted = tally("classification", pairs)
    assert (counted.comparisons, counted.divergence) == (5, 2 / 5)


def test_regression_is_the_relative_error() -> None:
    # |110 − 100| + |45 − 50| + |−20 − (−25)| = 20 over |100| + |50| + |−25| = 175
    counted = tally("regression", [(100.0, 110.0), (50.0, 45.0), (-25.0, -20.0)])
    assert counted.divergence == pytest.approx(20 / 175)


def test_ranking_is_one_minus_the_top_k_overlap() -> None:
    stable = [f"item{i}" for i in range(12)]
    same_head = [*stable[:10], "x", "y"]  # the top 10 are the same items: overlap 1
    half = [*stable[:5], *(f"new{i}" for i in range(7))]  # 5 of the top 10 shared: overlap 0.5
    assert top_k_overlap(stable, same_head) == 1.0
    assert top_k_overlap(stable, half) == 0.5
    assert top_k_overlap(["a", "b"], ["b", "c"]) == 0.5  # short lists: k is their length
    counted = tally("ranking", [(stable, same_head), (stable, half)])
    assert counted.divergence == pytest.approx((0 + 0.5) / 2)


def test_no_comparison_is_no_figure_not_zero() -> None:
    assert Tally().divergence is None
    assert tally("regression", [(0.0, 0.0)]).divergence is None
