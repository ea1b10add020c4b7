from __future__ import annotations

import re

import numpy as np
import pytest
from sklearn import metrics as skm

from controlplane.domain import LOWER_IS_BETTER, QUALITY_METRICS
from controlplane.pipeline.metrics import (
    METRICS,
    MetricError,
    correct,
    metric,
    metric_value,
    per_query,
    query_average_precision,
    query_ndcg,
)

RNG = np.random.default_rng(7)
Y = RNG.random(500) < 0.2
PRED = np.where(RNG.random(500) < 0.8, Y, ~Y)


def sklearn_classification(name: str, y: np.ndarray, pred: np.ndarray) -> float:
    """scikit-learn's value, NaN where the ratio's denominator is empty (zero_division=nan)."""
    tn, fp, fn, tp = skm.confusion_matrix(y, pred, labels=[0, 1]).ravel()
    return {
        "precision": lambda: skm.precision_score(y, pred, zero_division=np.nan),
        "recall": lambda: skm.recall_score(y, pred, zero_division=np.nan),
        "f1": lambda: skm.f1_score(y, pred, zero_division=np.nan),
        "accuracy": lambda: skm.accuracy_score(y, pred),
        "false_negative_rate": lambda: fn / (fn + tp) if fn + tp else np.nan,
        "false_positive_rate": lambda: fp / (fp + tn) if fp + tn else np.nan,
    }[name]()


def test_every_metric_the_spec_allows_is_declared_once() -> None:
    assert set(METRICS) == {m for names in QUALITY_METRICS.values() for m in names}
    assert {m for m in METRICS if metric(m).lower_is_better} == LOWER_IS_BETTER


@pytest.mark.parametrize("name", QUALITY_METRICS["classification"])
def test_classification_metrics_agree_with_scikit_learn(name: str) -> None:
    assert metric_value(name, Y, PRED) == pytest.approx(sklearn_classification(name, Y, PRED))
    as_ints = metric_value(name, Y.astype(int), PRED.astype(int))
    assert as_ints == pytest.approx(sklearn_classification(name, Y, PRED))


UNDEFINED_ON_NO_POSITIVES = {"precision", "recall", "f1", "false_negative_rate"}


@pytest.mark.parametrize("name", QUALITY_METRICS["classification"])
def test_an_empty_denominator_is_undefined_not_zero(name: str) -> None:
    """A slice with no positives has no recall: NaN (undefined), never 0."""
    y, pred = np.zeros(10, dtype=bool), np.zeros(10, dtype=bool)  # no positives at all
    value = metric_value(name, y, pred)
    expected = sklearn_classification(name, y, pred)
    assert np.isnan(value) == (name in UNDEFINED_ON_NO_POSITIVES) == np.isnan(expected)
    if not np.isnan(expected):
        assert value == pytest.approx(expected)


def test_regression_metrics_agree_with_scikit_learn() -> None:
    y = RNG.normal(10, 3, 300)
    pred = y + RNG.standard_t(3, 300)
    assert metric_value("mae", y, pred) == pytest.approx(skm.mean_absolute_error(y, pred))
    assert metric_value("rmse", y, pred) == pytest.approx(skm.root_mean_squared_error(y, pred))
    assert metric_value("r2", y, pred) == pytest.approx(skm.r2_score(y, pred))


def test_r2_on_a_constant_target_follows_scikit_learn() -> None:
    y = np.full(5, 2.0)
    assert metric_value("r2", y, y) == skm.r2_score(y, y) == 1.0
    assert metric_value("r2", y, y + 1) == skm.r2_score(y, y + 1) == 0.0


def test_ranking_metrics_are_the_mean_of_per_query_values() -> None:
    ndcg = [1.0, 0.5, 0.25, 0.75]
    assert metric_value("ndcg", None, ndcg) == pytest.approx(0.625)
    assert metric_value("map", None, [0.2, 0.4]) == pytest.approx(0.3)


def test_per_example_forms() -> None:
    assert correct([1, 0, 1], [1, 1, 0]).tolist() == [True, False, False]


@pytest.mark.parametrize(
    ("name", "y_true", "y_pred", "message"),
    [
        ("f1", [0, 1, 2], [0, 1, 1], "y_true must be binary labels 0/1"),
        ("f1", [0, 1], [0.3, 0.9], "predictions must be binary labels 0/1"),
        (
            "f1",
            [[True], [False]],
            [1, 0],
            "y_true must be one label per example (got shape (2, 1))",
        ),
        ("f1", [0, 1, 1], [0, 1], "y_true has 3 examples but predictions 2"),
        ("mae", [1.0, float("nan")], [1.0, 2.0], "y_true has 1 NaN or infinite values"),
        ("mae", ["a", "b"], [1.0, 2.0], "y_true must be numbers"),
        ("ndcg", [1, 0], [0.5, 0.5], "ndcg takes one value per query and no y_true"),
        ("rmse", None, [1.0], "rmse needs y_true"),
        ("f1", [], [], "no examples to evaluate"),
        ("auc", [0, 1], [0, 1], "unknown quality metric 'auc'"),
    ],
)
def test_bad_input_is_one_clear_error(
    name: str, y_true: object, y_pred: object, message: str
) -> None:
    with pytest.raises(MetricError, match="^" + re.escape(message)):
        metric_value(name, y_true, y_pred)  # type: ignore[arg-type]


def ranking_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(11)
    cases = []
    for size in (1, 2, 5, 20, 60):
        relevance = rng.integers(0, 4, size).astype(float)
        scores = rng.normal(size=size)
        cases.append((relevance, scores))
        cases.append((relevance, np.round(scores, 0)))  # many tied scores
    cases.append((np.array([0.0, 0.0, 3.0]), np.array([0.9, 0.5, 0.1])))
    return cases


@pytest.mark.parametrize(("relevance", "scores"), ranking_cases())
@pytest.mark.parametrize("k", [None, 3])
def test_query_ndcg_agrees_with_scikit_learn(
    relevance: np.ndarray, scores: np.ndarray, k: int | None
) -> None:
    if relevance.size < 2:  # scikit-learn refuses a single document; NDCG of one is 1 or 0
        assert query_ndcg(relevance, scores, k) == (1.0 if relevance[0] > 0 else 0.0)
        return
    assert query_ndcg(relevance, scores, k) == pytest.approx(
        skm.ndcg_score([relevance], [scores], k=k)
    )


@pytest.mark.parametrize(("relevance", "scores"), ranking_cases())
def test_query_average_precision_agrees_with_scikit_learn(
    relevance: np.ndarray, scores: np.ndarray
) -> None:
    relevant = relevance > 0
    expected = skm.average_precision_score(relevant, scores) if relevant.any() else 0.0
    assert query_average_precision(relevance, scores) == pytest.approx(expected)


def test_per_query_values_follow_the_order_queries_first_appear_in() -> None:
    ids = ["q2", "q1", "q2", "q1", "q3", "q2"]
    relevance = [1, 0, 0, 1, 2, 2]
    scores = [0.9, 0.8, 0.1, 0.2, 0.5, 0.4]
    expected_ndcg = [
        skm.ndcg_score([[1, 0, 2]], [[0.9, 0.1, 0.4]]),
        skm.ndcg_score([[0, 1]], [[0.8, 0.2]]),
        1.0,
    ]
    assert per_query("ndcg", ids, relevance, scores) == pytest.approx(expected_ndcg)
    expected_ap = [
        skm.average_precision_score([1, 0, 1], [0.9, 0.1, 0.4]),
        skm.average_precision_score([0, 1], [0.8, 0.2]),
        1.0,
    ]
    assert per_query("map", ids, relevance, scores) == pytest.approx(expected_ap)
    with pytest.raises(MetricError, match=r"^f1 is not a ranking metric"):
        per_query("f1", ids, relevance, scores)
