"""Every quality metric the spec allows, declared once as per-example columns and a formula.

A metric is a function of column sums: each example contributes a row of
numbers (its confusion-matrix cell for classification; its absolute error
for MAE, its squared error for RMSE, and that with its target and squared
target for R²; its own value for a ranking query), and the metric is a formula over the sums of those rows. The
same declaration gives the metric on a whole held-out set and, vectorized, on
thousands of bootstrap resamples at once (a resample only changes the sums),
so the gate and its bootstrap can never disagree about what a metric means.

Classification takes binary labels (0/1 or bool) for truth and prediction,
with 1 the positive class; a ratio whose denominator is empty is undefined
(NaN, as scikit-learn with ``zero_division=nan``), never 0: a slice with no
positives has no recall, and reporting 0 would read as a model that finds none. Ranking takes one value per query
(its NDCG or average precision) and ``y_true=None``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from controlplane.domain import LOWER_IS_BETTER, QUALITY_METRICS
from controlplane.errors import MlcpError

Array = npt.NDArray[np.float64]
ArrayLike = npt.ArrayLike
# Metric from column sums: sums has shape (..., k), n is the number of examples.
Formula = Callable[[Array, int], Array]


class MetricError(MlcpError):
    """Predictions or labels that a metric cannot be computed on (one clear line, exit 2)."""


@dataclass(frozen=True)
class Metric:
    name: str
    task: str
    formula: Formula

    @property
    def lower_is_better(self) -> bool:
        return self.name in LOWER_IS_BETTER


def _ratio(num: Array, den: Array) -> Array:
    """num / den, NaN (undefined) where den is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


# Classification columns: one-hot confusion cell of each example.
TP, FP, FN, TN = range(4)


def _cell(s: Array, i: int) -> Array:
    return s[..., i]


def _r2(s: Array, n: int) -> Array:
    # SST from the resampled targets: Σy² − (Σy)²/n. Where the targets are
    # constant R² is 1 for a perfect fit and 0 otherwise (scikit-learn's force_finite).
    sse, sst = s[..., 0], s[..., 2] - s[..., 1] ** 2 / n
    constant = sst <= 1e-12 * np.maximum(s[..., 2], 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        fitted = 1.0 - sse / np.where(constant, 1.0, sst)
    return np.where(constant, np.where(sse <= 0, 1.0, 0.0), fitted)


_FORMULAS: dict[str, Formula] = {
    "precision": lambda s, n: _ratio(_cell(s, TP), _cell(s, TP) + _cell(s, FP)),
    "recall": lambda s, n: _ratio(_cell(s, TP), _cell(s, TP) + _cell(s, FN)),
    "f1": lambda s, n: _ratio(2 * _cell(s, TP), 2 * _cell(s, TP) + _cell(s, FP) + _cell(s, FN)),
    "accuracy": lambda s, n: (_cell(s, TP) + _cell(s, TN)) / n,
    "false_negative_rate": lambda s, n: _ratio(_cell(s, FN), _cell(s, TP) + _cell(s, FN)),
    "false_positive_rate": lambda s, n: _ratio(_cell(s, FP), _cell(s, FP) + _cell(s, TN)),
    # Regression columns: |e| for MAE, e² for RMSE, e², y and y² for R².
    "mae": lambda s, n: s[..., 0] / n,
    "rmse": lambda s, n: np.sqrt(s[..., 0] / n),
    "r2": _r2,
    # Ranking columns: the query's own value.
    "ndcg": lambda s, n: s[..., 0] / n,
    "map": lambda s, n: s[..., 0] / n,
}

# When a ratio metric is undefined: its denominator is empty.
UNDEFINED_WHEN: dict[str, str] = {
    "precision": "the model predicts no positive",
    "recall": "there is no positive example",
    "f1": "there is no positive example and none is predicted",
    "false_negative_rate": "there is no positive example",
    "false_positive_rate": "there is no negative example",
}

METRICS: dict[str, Metric] = {
    name: Metric(name, task, _FORMULAS[name])
    for task, names in QUALITY_METRICS.items()
    for name in names
}


def metric(name: str) -> Metric:
    try:
        return METRICS[name]
    except KeyError:
        known = ", ".join(sorted(METRICS))
        raise MetricError(f"unknown quality metric {name!r} (known: {known})") from None


def labels(values: ArrayLike, what: str) -> npt.NDArray[np.bool_]:
    """Binary labels as booleans; anything but 0/1 (or bool) is refused, never coerced."""
    array = np.asarray(values)
    if array.ndim != 1:
        raise MetricError(f"{what} must be one label per example (got shape {array.shape})")
    if array.dtype == np.bool_:
        return array
    if not np.isin(array, (0, 1)).all():
        raise MetricError(f"{what} must be binary labels 0/1 for a classification metric")
    return array.astype(np.bool_)


def numbers(values: ArrayLike, what: str) -> Array:
    """A 1-d array of finite floats, or one clear error."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise MetricError(f"{what} must be numbers") from None
    if array.ndim != 1:
        raise MetricError(f"{what} must be one value per example (got shape {array.shape})")
    if not np.isfinite(array).all():
        raise MetricError(f"{what} has {int((~np.isfinite(array)).sum())} NaN or infinite values")
    return array


def columns(name: str, y_true: ArrayLike | None, y_pred: ArrayLike) -> Array:
    """The per-example rows, shape (n, k), whose sums the metric's formula reads."""
    task = metric(name).task
    if task == "ranking":
        if y_true is not None:
            raise MetricError(f"{name} takes one value per query and no y_true")
        return numbers(y_pred, f"{name} per-query values")[:, None]
    if y_true is None:
        raise MetricError(f"{name} needs y_true")
    if task == "classification":
        truth, pred = labels(y_true, "y_true"), labels(y_pred, "predictions")
        _same_length(truth, pred)
        cells = np.stack([truth & pred, ~truth & pred, truth & ~pred, ~truth & ~pred], axis=1)
        return cells.astype(np.float64)
    truth_f, pred_f = numbers(y_true, "y_true"), numbers(y_pred, "predictions")
    _same_length(truth_f, pred_f)
    error = pred_f - truth_f
    # Only what the formula reads: every column costs a pass per bootstrap resample.
    if name == "mae":
        return np.abs(error)[:, None]
    if name == "rmse":
        return (error**2)[:, None]
    return np.stack([error**2, truth_f, truth_f**2], axis=1)


def _same_length(truth: npt.NDArray[np.generic], pred: npt.NDArray[np.generic]) -> None:
    if truth.shape != pred.shape:
        raise MetricError(f"y_true has {truth.size} examples but predictions {pred.size}")
    if truth.size == 0:
        raise MetricError("no examples to evaluate")


def metric_value(name: str, y_true: ArrayLike | None, y_pred: ArrayLike) -> float:
    """The metric over a whole set: its formula on the column sums (NaN where undefined)."""
    rows = columns(name, y_true, y_pred)
    if rows.shape[0] == 0:
        raise MetricError("no examples to evaluate")
    return float(metric(name).formula(rows.sum(axis=0), rows.shape[0]))


def defined(value: float) -> float | None:
    """A metric's value, or None where it is undefined (what JSON and evidence show)."""
    return None if math.isnan(value) else value


def undefined_reason(name: str) -> str:
    """Why a metric can be undefined, for a message: "recall is undefined (there is ...)"."""
    return UNDEFINED_WHEN.get(name, "its denominator is empty")


def correct(y_true: ArrayLike, y_pred: ArrayLike) -> npt.NDArray[np.bool_]:
    """Per-example correctness, the paired outcome McNemar's test reads."""
    truth, pred = labels(y_true, "y_true"), labels(y_pred, "predictions")
    _same_length(truth, pred)
    return np.asarray(truth == pred)


# --- ranking: the per-query values the gate compares ----------------------------


def query_ndcg(relevance: ArrayLike, scores: ArrayLike, k: int | None = None) -> float:
    """NDCG (linear gain, log2 discount, optionally cut at k) of one query's ranking.

    Documents with equal scores share the average of their gains (McSherry and
    Najork's tie-averaging, as scikit-learn does), so a tie is never resolved
    by input order. A query with no relevant document scores 0.
    """
    rel, score = _query(relevance, scores)
    discount = 1 / np.log2(np.arange(rel.size) + 2)
    if k is not None:
        discount[k:] = 0.0
    ideal = float(np.sort(rel)[::-1] @ discount)
    if ideal == 0:
        return 0.0
    _, group, size = np.unique(-score, return_inverse=True, return_counts=True)
    mean_gain = np.bincount(group, weights=rel) / size
    group_discount = np.add.reduceat(discount, np.concatenate([[0], np.cumsum(size)[:-1]]))
    return float(mean_gain @ group_discount / ideal)


def query_average_precision(relevance: ArrayLike, scores: ArrayLike) -> float:
    """Average precision of one query: relevant means relevance > 0; tied scores are one cut.

    Σ over score thresholds of (recall gained) × (precision at that threshold),
    as scikit-learn's average_precision_score computes it. A query with no
    relevant document scores 0.
    """
    rel, score = _query(relevance, scores)
    relevant = rel > 0
    if not relevant.any():
        return 0.0
    thresholds, group = np.unique(-score, return_inverse=True)
    hits = np.cumsum(np.bincount(group, weights=relevant, minlength=thresholds.size))
    seen = np.cumsum(np.bincount(group, minlength=thresholds.size))
    recall_gain = np.diff(np.concatenate([[0.0], hits])) / hits[-1]
    return float(recall_gain @ (hits / seen))


def per_query(name: str, query_ids: ArrayLike, relevance: ArrayLike, scores: ArrayLike) -> Array:
    """NDCG or average precision of every query, in order of first appearance."""
    one = {"ndcg": query_ndcg, "map": query_average_precision}.get(name)
    if one is None:
        raise MetricError(f"{name} is not a ranking metric (ranking metrics: ndcg, map)")
    ids = np.asarray(query_ids)
    rel, score = _query(relevance, scores)
    if ids.shape != rel.shape:
        raise MetricError(f"query ids have {ids.size} rows but relevance {rel.size}")
    _, first, group = np.unique(ids, return_index=True, return_inverse=True)
    position = np.argsort(np.argsort(first))[group.ravel()]  # by first appearance
    rows = np.argsort(position, kind="stable")
    cuts = np.flatnonzero(np.diff(position[rows])) + 1
    pairs = zip(np.split(rel[rows], cuts), np.split(score[rows], cuts), strict=True)
    return np.array([one(r, s) for r, s in pairs])


def _query(relevance: ArrayLike, scores: ArrayLike) -> tuple[Array, Array]:
    rel, score = numbers(relevance, "relevance"), numbers(scores, "scores")
    _same_length(rel, score)
    if (rel < 0).any():
        raise MetricError("relevance must not be negative")
    return rel, score
