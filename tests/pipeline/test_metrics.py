from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

from controlplane.domain import LOWER_IS_BETTER, QUALITY_METRICS
from controlplane.pipeline.metrics import (
    METRICS,
    MetricError,
    absolute_errors,
    correct,
    metric,
    metric_value,
    squared_errors,
)

RNG = np.random.default_rng(7)
Y = RNG.random(500) < 0.2
PRED = np.where(RNG.random(500) < 0.8, Y, ~Y)


def sklearn_classification(name: str, y: np.ndarray, pred: np.ndarray) -> float:
    tn, fp, fn, tp = skm.confusion_matrix(y, pred, labels=[0, 1]).ravel()
    return {
        "precision": lambda: skm.precision_score(y, pred, zero_division=0),
        "recall": lambda: skm.recall_score(y, pred, zero_division=0),
        "f1": lambda: skm.f1_score(y, pred, zero_division=0),
        "accuracy": lambda: skm.accuracy_score(y, pred),
        "false_negative_rate": lambda: fn / (fn + tp) if fn + tp else 0.0,
        "false_positive_rate": lambda: fp / (fp + tn) if fp + tn else 0.0,
    }[name]()


def test_every_metric_the_spec_allows_is_declared_once() -> None:
    assert set(METRICS) == {m for names in QUALITY_METRICS.values() for m in names}
    assert {m for m in METRICS if metric(m).lower_is_better} == LOWER_IS_BETTER


@pytest.mark.parametrize("name", QUALITY_METRICS["classification"])
def test_classification_metrics_agree_with_scikit_learn(name: str) -> None:
    assert metric_value(name, Y, PRED) == pytest.approx(sklearn_classification(name, Y, PRED))
    as_ints = metric_value(name, Y.astype(int), PRED.astype(int))
    assert as_ints == pytest.approx(sklearn_classification(name, Y, PRED))


@pytest.mark.parametrize("name", QUALITY_METRICS["classification"])
def test_an_empty_denominator_gives_zero_as_scikit_learn_does(name: str) -> None:
    y, pred = np.zeros(10, dtype=bool), np.zeros(10, dtype=bool)  # no positives at all
    assert metric_value(name, y, pred) == pytest.approx(sklearn_classification(name, y, pred))


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
    assert absolute_errors([1.0, 2.0], [1.5, 0.0]).tolist() == [0.5, 2.0]
    assert squared_errors([1.0, 2.0], [1.5, 0.0]).tolist() == [0.25, 4.0]


@pytest.mark.parametrize(
    ("name", "y_true", "y_pred", "message"),
    [
        ("f1", [0, 1, 2], [0, 1, 1], "y_true must be binary labels 0/1"),
        ("f1", [0, 1], [0.3, 0.9], "predictions must be binary labels 0/1"),
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
    with pytest.raises(MetricError, match="^" + message.replace("(", r"\(")):
        metric_value(name, y_true, y_pred)  # type: ignore[arg-type]
