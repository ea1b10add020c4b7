from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn import metrics as skm
from statsmodels.stats.contingency_tables import mcnemar

from controlplane.domain import QUALITY_METRICS
from controlplane.pipeline.gate import TEST_FOR_METRIC, QualityBar, decide
from controlplane.pipeline.metrics import MetricError
from controlplane.pipeline.stages.gate import spec_bars

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
        "broken": False,
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


# --- every run judges every bar; undefined metrics --------------------------------


def with_fnr(rate: float, seed: int) -> np.ndarray:
    """Predictions right on every negative and on all but `rate` of the positives."""
    pred = Y.copy()
    positives = np.flatnonzero(Y)
    missed = np.random.default_rng(seed).choice(positives, round(rate * positives.size), False)
    pred[missed] = False
    return pred


def test_a_broken_bar_blocks_a_better_candidate_and_every_bar_is_in_the_evidence() -> None:
    """The second real use: a candidate at FNR 0.344 beat production (0.4) and was
    promoted past `false_negative_rate: {max: 30%, broken: true}`."""
    production, candidate = with_fnr(0.40, seed=1), with_fnr(0.344, seed=2)
    fnr = 1 - skm.recall_score(Y, candidate)
    precision = skm.precision_score(Y, candidate)
    assert fnr == pytest.approx(0.344, abs=1e-3)
    bars = [
        QualityBar("false_negative_rate", "max", 0.3, broken=True),
        QualityBar("precision", "min", 0.99, broken=False),
    ]
    result = decide("recall", Y, candidate, production, min_improvement=0.02, alpha=0.05, bars=bars)
    assert not result.passed
    assert [(c.metric, c.broken, c.passed) for c in result.bars] == [
        ("false_negative_rate", True, False),
        ("precision", False, True),
    ]
    assert [c.value for c in result.bars] == pytest.approx([fnr, precision])
    assert "broken bar false_negative_rate" in result.reason and result.reason.endswith("rejected")
    assert "\n" not in result.reason
    # Without the broken bar the same candidate passes: it is better than production.
    unbroken = decide(
        "recall", Y, candidate, production, min_improvement=0.02, alpha=0.05, bars=bars[1:]
    )
    assert unbroken.passed, unbroken.reason
    # A bar that is not broken is judged and shown, and does not block a better model.
    missed = QualityBar("precision", "min", 1.5)
    shown = decide(
        "recall", Y, candidate, production, min_improvement=0.02, alpha=0.05, bars=[missed]
    )
    assert shown.passed and [c.passed for c in shown.bars] == [False]
    assert f"precision {precision:.4g} < min 1.5" in shown.reason


def test_an_undefined_primary_metric_is_refused_in_one_line() -> None:
    """No positives in the held-out set: recall is undefined, so there is nothing to compare."""
    y = np.zeros(200, dtype=bool)
    candidate, production = np.zeros(200, dtype=bool), np.zeros(200, dtype=bool)
    candidate[:5] = True
    for prod in (production, None):
        result = decide("recall", y, candidate, prod, min_improvement=0.0, alpha=0.05)
        assert not result.passed
        assert result.candidate is None and result.p_value is None
        assert "recall is undefined" in result.reason and "no positive" in result.reason
        assert result.reason.endswith("rejected") and "\n" not in result.reason
        json.dumps(result.to_dict(), allow_nan=False)


def test_an_undefined_bar_is_not_met_when_broken() -> None:
    """Accuracy is defined on a slice without positives; the false-negative rate is not."""
    y = np.zeros(400, dtype=bool)
    production = np.random.default_rng(1).random(400) < 0.3
    candidate = np.random.default_rng(2).random(400) < 0.05
    bar = QualityBar("false_negative_rate", "max", 0.3, broken=True)
    result = decide(
        "accuracy", y, candidate, production, min_improvement=0.0, alpha=0.05, bars=[bar]
    )
    assert not result.passed
    (check,) = result.bars
    assert check.value is None and not check.passed
    assert "false_negative_rate undefined" in result.reason
    recorded = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert recorded["bars"][0]["value"] is None
    unbroken = QualityBar("false_negative_rate", "max", 0.3)
    quiet = decide(
        "accuracy", y, candidate, production, min_improvement=0.0, alpha=0.05, bars=[unbroken]
    )
    assert quiet.passed, quiet.reason


def test_the_gate_stage_reads_each_bar_and_whether_it_is_broken_from_params() -> None:
    params = {
        "false_negative_rate": {"max": 0.3, "broken": True},
        "recall": {"min": 0.85, "broken": False},
        "ctr": {"min": 0.02, "broken": True},  # a proxy: the held-out set cannot measure it
        "precision": {"min": 0.6},  # params.yaml written before `broken` was recorded
    }
    assert spec_bars(params) == [
        QualityBar("false_negative_rate", "max", 0.3, broken=True),
        QualityBar("recall", "min", 0.85, broken=False),
        QualityBar("precision", "min", 0.6, broken=False),
    ]
