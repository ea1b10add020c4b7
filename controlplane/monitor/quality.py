"""Quality figures once labels arrive: the sums the contract's quality series add up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]


def _floats(values: Sequence[Any] | npt.NDArray[Any], name: str) -> Floats:
    """One float per row; a column vector is accepted, a wider array is refused.

    Flattening a (n, 2) array of class probabilities would silently double the
    rows and mix both classes' scores, so it is an error that says what to pass.
    """
    raw = np.asarray(values)
    if raw.dtype.kind in "US" or (
        raw.dtype.kind == "O" and any(isinstance(v, str | bytes) for v in raw.flat)
    ):
        # numpy would read "1" as 1.0: labels spelled as text are a bug upstream.
        first = raw.flat[0]
        shown = repr(first.item() if isinstance(first, np.generic) else first)
        raise ValueError(f"{name}: expected numbers, one per row, got text ({shown}, ...)")
    try:
        array = raw.astype(np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name}: expected numbers, one per row ({error})") from None
    missing = np.flatnonzero(np.isnan(array.reshape(-1)))
    if missing.size:
        # None becomes NaN, and NaN compares false: it would count as a negative.
        raise ValueError(
            f"{name}: {missing.size} missing value(s) (None or NaN), the first at "
            f"position {missing[0]}: expected a number in every row"
        )
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim > 1:
        hint = (
            " (for class probabilities, pass the positive class's column, "
            "e.g. predict_proba(X)[:, 1])"
            if name == "y_pred" and array.ndim == 2
            else ""
        )
        raise ValueError(
            f"{name} has shape {array.shape}: expected one value per row, "
            f"shape ({array.shape[0]},){hint}"
        )
    return array.reshape(-1)


def confusion(y_true: Any, y_pred: Any, threshold: float = 0.5) -> dict[str, int]:
    """tp/fp/tn/fn of binary labels; scores are positive at or above ``threshold``."""
    labels, scores = _floats(y_true, "y_true"), _floats(y_pred, "y_pred")
    _same_length(labels, scores)
    truth, predicted = labels >= threshold, scores >= threshold
    return {
        "tp": int(np.count_nonzero(truth & predicted)),
        "fp": int(np.count_nonzero(~truth & predicted)),
        "tn": int(np.count_nonzero(~truth & ~predicted)),
        "fn": int(np.count_nonzero(truth & ~predicted)),
    }


@dataclass(frozen=True)
class RegressionSums:
    error: float  # sum of |y - y_hat|
    squared_error: float
    count: int
    target: float
    target_squared: float


def regression_sums(y_true: Any, y_pred: Any) -> RegressionSums:
    truth, predicted = _floats(y_true, "y_true"), _floats(y_pred, "y_pred")
    _same_length(truth, predicted)
    error = truth - predicted
    return RegressionSums(
        error=float(np.abs(error).sum()),
        squared_error=float((error * error).sum()),
        count=int(truth.size),
        target=float(truth.sum()),
        target_squared=float((truth * truth).sum()),
    )


def ndcg(relevance: Floats, scores: Floats) -> float:
    """NDCG of one query: gain 2**rel - 1, log2 discount, ties kept in input order."""
    order = np.argsort(-scores, kind="stable")
    discount = 1.0 / np.log2(np.arange(2, relevance.size + 2))
    gains = np.exp2(relevance) - 1.0
    ideal = float((np.sort(gains)[::-1] * discount).sum())
    return float((gains[order] * discount).sum()) / ideal if ideal > 0 else 0.0


def average_precision(relevance: Floats, scores: Floats) -> float:
    """AP of one query, an item being relevant when its relevance is above 0."""
    order = np.argsort(-scores, kind="stable")
    relevant = relevance[order] > 0
    hits = np.cumsum(relevant)
    if hits.size == 0 or hits[-1] == 0:
        return 0.0
    precision = hits / np.arange(1, relevant.size + 1)
    return float(precision[relevant].sum() / hits[-1])


@dataclass(frozen=True)
class RankingSums:
    ndcg: float
    ap: float
    queries: int


def ranking_sums(y_true: Any, y_pred: Any, query_ids: Any) -> RankingSums:
    """Per-query NDCG and AP, summed; queries without any relevant item are skipped,
    since both figures are undefined for them."""
    relevance, scores = _floats(y_true, "y_true"), _floats(y_pred, "y_pred")
    queries = np.asarray(query_ids).reshape(-1)
    _same_length(relevance, scores)
    _same_length(relevance, queries, "query_ids")
    _, group = np.unique(queries, return_inverse=True)
    order = np.argsort(group, kind="stable")
    starts = np.flatnonzero(np.diff(group[order], prepend=-1))
    total_ndcg = total_ap = 0.0
    counted = 0
    for members in np.split(order, starts[1:]):
        rel, score = relevance[members], scores[members]
        if members.size == 0 or not np.any(rel > 0):
            continue
        total_ndcg += ndcg(rel, score)
        total_ap += average_precision(rel, score)
        counted += 1
    return RankingSums(total_ndcg, total_ap, counted)


def _same_length(labels: npt.NDArray[Any], other: npt.NDArray[Any], name: str = "y_pred") -> None:
    if labels.size != other.size:
        raise ValueError(
            f"y_true has {labels.size} values and {name} {other.size}: "
            f"expected one {name} value per label"
        )
