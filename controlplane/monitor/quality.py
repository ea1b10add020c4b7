"""Quality figures once labels arrive: the sums the contract's quality series add up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]


def _floats(values: Sequence[Any] | npt.NDArray[Any]) -> Floats:
    return np.asarray(values, dtype=np.float64).reshape(-1)


def confusion(y_true: Any, y_pred: Any, threshold: float = 0.5) -> dict[str, int]:
    """tp/fp/tn/fn of binary labels; scores are positive at or above ``threshold``."""
    truth, predicted = _floats(y_true) >= threshold, _floats(y_pred) >= threshold
    _same_length(truth, predicted)
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
    truth, predicted = _floats(y_true), _floats(y_pred)
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
    relevance, scores = _floats(y_true), _floats(y_pred)
    queries = np.asarray(query_ids).reshape(-1)
    _same_length(relevance, scores)
    _same_length(relevance, queries)
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


def _same_length(first: npt.NDArray[Any], second: npt.NDArray[Any]) -> None:
    if first.size != second.size:
        raise ValueError(f"length mismatch: {first.size} labels, {second.size} predictions")
