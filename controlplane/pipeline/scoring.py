"""A model's predictions as the inputs of a metric: labels or values per example, or,
for ranking, each query's NDCG or average precision from its scores
(`controlplane.pipeline.metrics.per_query`)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from controlplane import pipeline_layout as layout
from controlplane.pipeline.metrics import METRICS, metric_value, per_query


def metric_inputs(metric: str, frame: pd.DataFrame, column: str) -> tuple[Any, Any]:
    """(y_true, predictions) for `metric` from a frame of labels and a prediction column."""
    if METRICS[metric].task == "ranking":
        queries = frame[layout.QUERY_COLUMN].to_numpy()
        values = per_query(metric, queries, frame[layout.LABEL_COLUMN], frame[column])
        return None, values
    return frame[layout.LABEL_COLUMN].to_numpy(), frame[column].to_numpy()


def score(metric: str, frame: pd.DataFrame, column: str) -> float:
    y_true, predictions = metric_inputs(metric, frame, column)
    return metric_value(metric, y_true, predictions)


def known(metric: str) -> bool:
    """Whether the held-out set can measure the metric (a spec may name its own)."""
    return metric in METRICS
