from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps
from statsmodels.stats.contingency_tables import mcnemar

from controlplane.pipeline import stats
from controlplane.pipeline.metrics import columns, metric


def paired_outcomes(
    both: int, only_cand: int, only_prod: int, neither: int
) -> tuple[np.ndarray, np.ndarray]:
    cand = [True] * both + [True] * only_cand + [False] * only_prod + [False] * neither
    prod = [True] * both + [False] * only_cand + [True] * only_prod + [False] * neither
    return np.array(cand), np.array(prod)


@pytest.mark.parametrize(
    "table",
    [
        (50, 12, 3, 35),
        (400, 30, 30, 40),
        (10, 0, 0, 5),
        (900, 41, 18, 41),
        (5, 1, 6, 2),
        (0, 25, 0, 0),
    ],
)
def test_mcnemar_agrees_with_statsmodels_exact(table: tuple[int, int, int, int]) -> None:
    both, only_cand, only_prod, neither = table
    cand, prod = paired_outcomes(*table)
    expected = mcnemar([[both, only_cand], [only_prod, neither]], exact=True)
    got = stats.mcnemar_exact(cand, prod)
    assert got.p_value == pytest.approx(expected.pvalue, rel=1e-12)
    assert got.statistic == expected.statistic
    assert got.n == sum(table)


def errors_pair(n: int, seed: int, *, rounded: bool) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    prod = np.abs(rng.standard_t(3, n))
    cand = np.abs(prod + rng.normal(-0.1, 0.5, n))
    if rounded:  # ties among the differences and some pairs with equal errors
        prod, cand = np.round(prod, 1), np.round(cand, 1)
    return cand, prod


@pytest.mark.parametrize(
    ("n", "rounded", "method"),
    [
        (30, False, "auto"),  # scipy: exact distribution
        (9, False, "auto"),
        (50, False, "auto"),
        (2_000, False, "auto"),  # normal approximation
        (2_000, True, "auto"),  # with ties and zero differences
        (40, True, "asymptotic"),  # small with ties: the normal approximation on both sides
    ],
)
def test_wilcoxon_agrees_with_scipy(n: int, rounded: bool, method: str) -> None:
    cand, prod = errors_pair(n, seed=n, rounded=rounded)
    expected = sps.wilcoxon(cand, prod, method=method)
    got = stats.wilcoxon_signed_rank(cand, prod)
    assert got.p_value == pytest.approx(expected.pvalue, rel=1e-9)
    assert got.statistic == pytest.approx(expected.statistic)


def test_wilcoxon_with_identical_errors_finds_nothing() -> None:
    same = np.array([0.1, 0.2, 0.3])
    assert stats.wilcoxon_signed_rank(same, same).p_value == 1.0


def mean_difference(sums: np.ndarray, n: int) -> np.ndarray:
    return (sums[:, 0] - sums[:, 1]) / n


def test_bootstrap_interval_matches_scipy_percentile_interval() -> None:
    rng = np.random.default_rng(3)
    prod = rng.exponential(1.0, 400)
    cand = prod + rng.normal(0.15, 0.6, 400)
    ours = stats.paired_bootstrap(
        np.stack([cand, prod], axis=1), mean_difference, resamples=20_000, seed=1
    )
    theirs = sps.bootstrap(
        (cand, prod),
        lambda c, p, axis: np.mean(c - p, axis=axis),
        paired=True,
        vectorized=True,
        n_resamples=20_000,
        method="percentile",
        rng=np.random.default_rng(2),
    )
    width = theirs.confidence_interval.high - theirs.confidence_interval.low
    assert ours.observed == pytest.approx(np.mean(cand - prod))
    assert ours.ci_low == pytest.approx(theirs.confidence_interval.low, abs=0.03 * width)
    assert ours.ci_high == pytest.approx(theirs.confidence_interval.high, abs=0.03 * width)


def f1_difference(sums: np.ndarray, n: int) -> np.ndarray:
    f1 = metric("f1").formula
    return f1(sums[:, :4], n) - f1(sums[:, 4:], n)


def test_bootstrap_of_f1_counts_matches_scipy_resampling_indices() -> None:
    # The multinomial shortcut must give the interval index resampling gives.
    rng = np.random.default_rng(4)
    y = rng.random(2_000) < 0.15
    prod = np.where(rng.random(2_000) < 0.85, y, ~y)
    cand = np.where(rng.random(2_000) < 0.88, y, ~y)
    rows = np.hstack([columns("f1", y, cand), columns("f1", y, prod)])
    ours = stats.paired_bootstrap(rows, f1_difference, resamples=10_000, seed=5)

    def f1(truth: np.ndarray, pred: np.ndarray, axis: int) -> np.ndarray:
        tp = np.sum(truth & pred, axis=axis)
        return (
            2 * tp / (2 * tp + np.sum(~truth & pred, axis=axis) + np.sum(truth & ~pred, axis=axis))
        )

    theirs = sps.bootstrap(
        (y, cand, prod),
        lambda t, c, p, axis: f1(t, c, axis) - f1(t, p, axis),
        paired=True,
        vectorized=True,
        n_resamples=10_000,
        method="percentile",
        rng=np.random.default_rng(6),
    ).confidence_interval
    width = theirs.high - theirs.low
    assert ours.ci_low == pytest.approx(theirs.low, abs=0.03 * width)
    assert ours.ci_high == pytest.approx(theirs.high, abs=0.03 * width)


def test_bootstrap_coverage_on_a_known_mean_matches_scipy() -> None:
    # Paired differences with a known mean of 0.2: a 95% interval should hold it
    # about 95% of the time, as often as scipy's percentile bootstrap does.
    rng = np.random.default_rng(8)
    repetitions, n, truth = 200, 150, 0.2
    ours = theirs = 0
    for rep in range(repetitions):
        prod = rng.gamma(2.0, 1.0, n)
        cand = prod + truth + rng.normal(0, 1, n)
        result = stats.paired_bootstrap(
            np.stack([cand, prod], axis=1), mean_difference, resamples=1_000, seed=rep
        )
        ours += result.ci_low <= truth <= result.ci_high
        interval = sps.bootstrap(
            (cand - prod,), np.mean, n_resamples=1_000, method="percentile", rng=rng
        ).confidence_interval
        theirs += interval.low <= truth <= interval.high
    assert 0.90 <= ours / repetitions <= 0.99
    assert abs(ours - theirs) / repetitions <= 0.05


def test_bootstrap_is_seeded_and_its_p_value_separates_effect_from_noise() -> None:
    rng = np.random.default_rng(9)
    prod = rng.normal(0, 1, 500)
    noise = np.stack([prod + rng.normal(0, 1, 500), prod], axis=1)
    effect = np.stack([prod + rng.normal(0.5, 1, 500), prod], axis=1)
    first = stats.paired_bootstrap(noise, mean_difference, resamples=2_000, seed=11)
    assert stats.paired_bootstrap(noise, mean_difference, resamples=2_000, seed=11) == first
    assert stats.paired_bootstrap(noise, mean_difference, resamples=2_000, seed=12) != first
    assert first.p_value > 0.05
    clear = stats.paired_bootstrap(effect, mean_difference, resamples=2_000, seed=11)
    assert clear.p_value == pytest.approx(2 / 2_001)  # never 0: the observed value counts
    assert clear.ci_low > 0


def test_bootstrap_refuses_fewer_than_a_thousand_resamples() -> None:
    with pytest.raises(ValueError, match="at least 1,000 resamples"):
        stats.paired_bootstrap(np.ones((10, 2)), mean_difference, resamples=999)


def test_multinomial_counts_and_index_resampling_give_the_same_interval(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(12)
    y = rng.random(1_500) < 0.2
    rows = np.hstack(
        [columns("f1", y, np.where(rng.random(1_500) < s, y, ~y)) for s in (0.9, 0.86)]
    )
    counted = stats.paired_bootstrap(rows, f1_difference, resamples=10_000, seed=1)
    monkeypatch.setattr(stats, "MAX_DISTINCT_ROWS", 0)  # every row "distinct": indices drawn
    drawn = stats.paired_bootstrap(rows, f1_difference, resamples=10_000, seed=1)
    width = drawn.ci_high - drawn.ci_low
    assert counted.observed == drawn.observed
    assert counted.ci_low == pytest.approx(drawn.ci_low, abs=0.03 * width)
    assert counted.ci_high == pytest.approx(drawn.ci_high, abs=0.03 * width)
