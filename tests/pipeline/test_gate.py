from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn import metrics as skm
from statsmodels.stats.contingency_tables import mcnemar

from controlplane.domain import QUALITY_METRICS
from controlplane.pipeline.gate import TEST_FOR_METRIC, decide
from controlplane.pipeline.metrics import MetricError

N = 20_000
RNG = np.random.default_rng(2026)
Y = RNG.random(N) < 0.3


def noisy(accuracy: float, seed: int) -> np.ndarray:
    """Predictions of Y right on about `accuracy` of the examples, independently drawn."""
    return np.where(np.random.default_rng(seed).random(N) < accuracy, Y, ~Y)


PRODUCTION = noisy(0.85, seed=1)


def test_every_quality_metric_has_its_test() -> None:
    assert set(TEST_FOR_METRIC) == {m for names in QUALITY_METRICS.values() for m in names}


@pytest.mark.parametrize("metric", ["accuracy", "f1", "recall", "false_negative_rate"])
def test_a_candidate_no_better_than_production_is_rejected(metric: str) -> None:
    result = decide(metric, Y, noisy(0.85, seed=2), PRODUCTION, min_improvement=0.0, alpha=0.05)
    assert not result.passed
    assert result.p_value is not None and result.p_value > 0.05


@pytest.mark.parametrize("metric", ["accuracy", "f1", "precision", "recall", "false_positive_rate"])
def test_a_clearly_better_candidate_passes(metric: str) -> None:
    result = decide(metric, Y, noisy(0.92, seed=3), PRODUCTION, min_improvement=0.02, alpha=0.05)
    assert result.passed, result.reason
    assert result.improvement is not None and result.improvement > 0.02
    assert result.ci_low is not None and result.ci_high is not None
    assert result.ci_low <= result.improvement <= result.ci_high
    assert result.reason.endswith("passed")


def test_better_by_less_than_min_improvement_is_rejected_even_when_highly_significant() -> None:
    # The candidate fixes 1% of the examples production gets wrong and breaks none:
    # accuracy 0.85 -> ~0.86 (+1.2% relative), McNemar p far below 0.001.
    candidate = PRODUCTION.copy()
    fixable = np.flatnonzero(PRODUCTION != Y)[: N // 100]
    candidate[fixable] = Y[fixable]
    result = decide("accuracy", Y, candidate, PRODUCTION, min_improvement=0.02, alpha=0.05)
    assert result.p_value is not None and result.p_value < 0.001
    assert result.improvement is not None and 0 < result.improvement < 0.02
    assert not result.passed
    assert "below min_improvement 2.00%" in result.reason


def test_a_worse_candidate_is_rejected() -> None:
    result = decide("f1", Y, noisy(0.75, seed=4), PRODUCTION, min_improvement=0.02, alpha=0.05)
    assert not result.passed
    assert result.improvement is not None and result.improvement < 0
    assert "worse than production" in result.reason


def test_values_and_the_mcnemar_p_value_come_from_independent_oracles() -> None:
    candidate = noisy(0.87, seed=5)
    result = decide(
        "false_negative_rate", Y, candidate, PRODUCTION, min_improvement=0.0, alpha=0.05
    )
    fnr = {m: 1 - skm.recall_score(Y, p) for m, p in (("c", candidate), ("p", PRODUCTION))}
    assert result.candidate == pytest.approx(fnr["c"])
    assert result.production == pytest.approx(fnr["p"])
    assert result.improvement == pytest.approx((fnr["p"] - fnr["c"]) / fnr["p"])  # lower is better
    # FNR counts the positives only: McNemar on their correctness.
    c_ok, p_ok = candidate[Y], PRODUCTION[Y]
    table = [
        [np.sum(c_ok & p_ok), np.sum(c_ok & ~p_ok)],
        [np.sum(~c_ok & p_ok), np.sum(~c_ok & ~p_ok)],
    ]
    assert result.test == "mcnemar-exact"
    assert result.p_value == pytest.approx(mcnemar(table, exact=True).pvalue, rel=1e-9)
    assert result.n == N


def regression_case(
    candidate_noise: float, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.normal(100, 20, 3_000)
    return y, y + candidate_noise * rng.standard_t(4, 3_000), y + 5 * rng.standard_t(4, 3_000)


@pytest.mark.parametrize("metric", ["mae", "rmse"])
def test_errors_are_compared_with_wilcoxon_and_lower_error_is_an_improvement(metric: str) -> None:
    y, candidate, production = regression_case(candidate_noise=4)
    result = decide(metric, y, candidate, production, min_improvement=0.05, alpha=0.05)
    assert result.test == "wilcoxon"
    assert result.passed, result.reason
    expected = {"mae": skm.mean_absolute_error, "rmse": skm.root_mean_squared_error}[metric]
    assert result.improvement == pytest.approx(1 - expected(y, candidate) / expected(y, production))


def test_r2_is_compared_by_bootstrapping_r2_itself() -> None:
    y, candidate, production = regression_case(candidate_noise=4)
    result = decide("r2", y, candidate, production, min_improvement=0.01, alpha=0.05)
    assert result.test == "paired-bootstrap"
    assert result.candidate == pytest.approx(skm.r2_score(y, candidate))
    assert result.passed, result.reason
    worse = decide("r2", y, production, candidate, min_improvement=0.01, alpha=0.05)
    assert not worse.passed


def test_ranking_metrics_compare_per_query_values() -> None:
    rng = np.random.default_rng(5)
    production = rng.beta(5, 3, 800)
    better = np.clip(production + rng.normal(0.05, 0.05, 800), 0, 1)
    result = decide("ndcg", None, better, production, min_improvement=0.02, alpha=0.05)
    assert result.passed and result.test == "paired-bootstrap" and result.n == 800
    same = decide("map", None, production, production, min_improvement=0.0, alpha=0.05)
    assert not same.passed and same.improvement == 0


def test_the_bootstrap_is_seeded() -> None:
    candidate = noisy(0.86, seed=6)
    runs = [
        decide("f1", Y, candidate, PRODUCTION, min_improvement=0.0, alpha=0.05, seed=s)
        for s in (1, 1, 2)
    ]
    assert runs[0] == runs[1]
    assert runs[0].ci_low != runs[2].ci_low


def test_first_run_passes_or_fails_on_the_absolute_bar_and_says_so() -> None:
    candidate = noisy(0.92, seed=7)
    recall = skm.recall_score(Y, candidate)
    passed = decide(
        "recall",
        Y,
        candidate,
        None,
        min_improvement=0.02,
        alpha=0.05,
        bars=[("recall", ("min", 0.85))],
    )
    assert passed.passed and passed.production is None and passed.p_value is None
    assert passed.candidate == pytest.approx(recall)
    assert passed.test == "absolute-bar"
    assert passed.reason == (
        "no production model yet (first run), so judged on the spec's quality bars: "
        f"recall {recall:.4g} ≥ min 0.85; passed"
    )
    fnr = decide(
        "false_negative_rate",
        Y,
        candidate,
        None,
        min_improvement=0.02,
        alpha=0.05,
        bars=[("false_negative_rate", ("max", 0.03))],
    )
    assert not fnr.passed and fnr.reason.endswith(
        f"false_negative_rate {1 - recall:.4g} > max 0.03; rejected"
    )
    unbarred = decide("f1", Y, candidate, None, min_improvement=0.02, alpha=0.05)
    assert unbarred.passed and "it sets none" in unbarred.reason


def test_first_run_checks_every_quality_bar_of_the_spec() -> None:
    # fraud-detector: gate on f1; bars on recall, precision and the false-negative rate.
    quality = [
        ("recall", ("min", 0.85)),
        ("precision", ("min", 0.6)),
        ("false_negative_rate", ("max", 0.03)),
    ]
    candidate = noisy(0.92, seed=7)
    result = decide("f1", Y, candidate, None, min_improvement=0.02, alpha=0.05, bars=quality)
    expected = {
        "recall": skm.recall_score(Y, candidate),
        "precision": skm.precision_score(Y, candidate),
        "false_negative_rate": 1 - skm.recall_score(Y, candidate),
    }
    assert {c.metric: c.value for c in result.bars} == pytest.approx(expected)
    assert [c.passed for c in result.bars] == [True, True, False]  # an FNR of ~8% is above 3%
    assert not result.passed and result.reason.endswith("; rejected")
    assert result.candidate == pytest.approx(skm.f1_score(Y, candidate))
    recorded = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert recorded["bars"][2] == {
        "metric": "false_negative_rate",
        "side": "max",
        "limit": 0.03,
        "value": pytest.approx(expected["false_negative_rate"]),
        "passed": False,
    }


def test_a_ranking_first_run_reads_each_bar_from_its_own_per_query_values() -> None:
    # recommender: gate on ndcg; bars on ndcg (min 0.35) and map (min 0.2).
    bars = [("ndcg", ("min", 0.35)), ("map", ("min", 0.2))]
    ndcg, ap = np.full(50, 0.75), np.full(50, 0.125)  # exact in binary: sums and means stay exact
    result = decide(
        "ndcg", None, ndcg, None, min_improvement=0.0, alpha=0.05, bars=bars, measured={"map": ap}
    )
    assert [(c.metric, c.value, c.passed) for c in result.bars] == [
        ("ndcg", 0.75, True),
        ("map", 0.125, False),
    ]
    assert not result.passed
    with pytest.raises(
        MetricError,
        match=r"^the bar on map needs the candidate's per-query map values \(measured=\)$",
    ):
        decide("ndcg", None, ndcg, None, min_improvement=0.0, alpha=0.05, bars=bars)
    with pytest.raises(MetricError, match=r"^the bar on recall does not apply to a ranking model$"):
        decide(
            "ndcg",
            None,
            ndcg,
            None,
            min_improvement=0.0,
            alpha=0.05,
            bars=[("recall", ("min", 0.5))],
        )


def test_gate_json_records_every_field() -> None:
    result = decide("f1", Y, noisy(0.92, seed=3), PRODUCTION, min_improvement=0.02, alpha=0.05)
    recorded = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    for key in (
        "metric",
        "production",
        "candidate",
        "improvement",
        "ci_low",
        "ci_high",
        "test",
        "p_value",
        "n",
        "passed",
        "reason",
    ):
        assert key in recorded
    assert recorded["metric"] == "f1" and recorded["n"] == N and recorded["passed"] is True


def test_mismatched_predictions_are_one_clear_error() -> None:
    with pytest.raises(MetricError, match=r"^y_true has 20000 examples but predictions 10$"):
        decide("f1", Y, PRODUCTION[:10], PRODUCTION, min_improvement=0.0, alpha=0.05)
    with pytest.raises(MetricError, match=r"^candidate has 3 examples but production 2$"):
        decide("ndcg", None, [0.1, 0.2, 0.3], [0.1, 0.2], min_improvement=0.0, alpha=0.05)


def test_a_production_model_at_zero_is_beaten_on_significance_alone() -> None:
    # Production never flags a positive: F1 0, so any gain is unbounded in relative terms.
    never = np.zeros(N, dtype=bool)
    result = decide("f1", Y, noisy(0.9, seed=8), never, min_improvement=0.02, alpha=0.05)
    assert result.passed and result.production == 0
    assert result.improvement is None and result.ci_low is None and result.ci_high is None
    assert "production's f1 is 0, so the relative improvement is unbounded" in result.reason
    json.dumps(result.to_dict(), allow_nan=False)


def test_a_perfect_production_model_cannot_be_beaten() -> None:
    y = np.arange(100.0)
    result = decide("mae", y, y + 0.5, y, min_improvement=0.0, alpha=0.05)
    assert not result.passed and "the candidate is worse than production" in result.reason


@pytest.mark.parametrize(
    ("metric", "alpha", "resamples", "message"),
    [
        ("f1", 1.5, 10_000, r"^alpha must lie between 0 and 1 \(got 1.5\)$"),
        ("f1", 0.05, 500, r"^the gate's bootstrap needs at least 1,000 resamples \(got 500\)$"),
        (
            "f1",
            0.0001,
            10_000,
            r"^alpha 0.0001 is out of reach: with 10000 resamples the bootstrap p-value of f1 is never below 0.0002; raise resamples or alpha$",
        ),
    ],
)
def test_gate_settings_that_cannot_work_are_one_clear_error(
    metric: str, alpha: float, resamples: int, message: str
) -> None:
    with pytest.raises(MetricError, match=message):
        decide(
            metric, Y, PRODUCTION, PRODUCTION, min_improvement=0.0, alpha=alpha, resamples=resamples
        )
    # McNemar's exact p-value has no such floor.
    decide("accuracy", Y, PRODUCTION, PRODUCTION, min_improvement=0.0, alpha=0.0001)


def test_two_models_both_at_zero_are_no_better_than_each_other() -> None:
    never = np.zeros(N, dtype=bool)
    result = decide("f1", Y, never, never, min_improvement=0.0, alpha=0.05)
    assert not result.passed and result.improvement == 0.0
    assert (result.ci_low, result.ci_high) == (0.0, 0.0)
    assert "no better than production" in result.reason
