"""The measured shadow divergence that lets a rollout leave shadow.

Read from Prometheus (the exporter's counters over the time spent in shadow)
or from the JSON report `mlcp shadow-report` writes from data-capture files.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from controlplane import contract
from controlplane.model import Model
from controlplane.prometheus_api import Prometheus, PrometheusError
from controlplane.render.monitoring import promql
from controlplane.render.monitoring.shadow import divergence_expr
from controlplane.rollout.errors import EvidenceError
from controlplane.shadow import MEASURES


@dataclass(frozen=True)
class Divergence:
    """A divergence figure, how many requests it rests on and where it was read."""

    value: float
    measure: str
    comparisons: int
    source: str


def elapsed(seconds: float) -> str:
    """``183000`` → ``2d 2h 50m``: days, hours and minutes that are not zero."""
    minutes = int(seconds // 60)
    parts = [(minutes // 1440, "d"), (minutes // 60 % 24, "h"), (minutes % 60, "m")]
    return " ".join(f"{n}{unit}" for n, unit in parts if n) or f"{int(seconds)}s"


def divergence_queries(model: str, seconds: int) -> tuple[str, str]:
    """PromQL for the divergence over the last ``seconds`` and for the requests compared."""
    window = promql.duration(seconds)
    # Counted without increase()'s extrapolation, which a young series inflates; a replica
    # restarted inside the window counts only since its restart.
    compared = f"{promql.of_model(contract.SHADOW_COMPARISONS_TOTAL, model)}[{window}]"
    comparisons = f"sum(max_over_time({compared}) - min_over_time({compared}))"
    return divergence_expr(model, window), comparisons


def from_prometheus(url: str, model: Model, seconds: float) -> Divergence:
    """The divergence Prometheus at ``url`` holds for the last ``seconds`` (the shadow phase)."""
    window = max(int(seconds // 60) * 60, 60)  # whole minutes: the window a person reads
    divergence_query, comparisons_query = divergence_queries(model.name, window)
    value = _query_scalar(url, divergence_query)
    comparisons = _query_scalar(url, comparisons_query)
    shown = elapsed(window)
    if value is None or comparisons is None or value != value:
        raise EvidenceError(
            f"Prometheus at {url} has no shadow comparisons of {model.name} over the last"
            f" {shown}: is the exporter recording them (ModelMonitor.record_shadow)?"
        )
    source = f"Prometheus at {url}, over the last {shown}"
    return Divergence(value, MEASURES[model.task], round(comparisons), source)


def _query_scalar(url: str, query: str) -> float | None:
    try:
        result = Prometheus(url).query(query, time.time())
    except PrometheusError as error:
        raise EvidenceError(str(error)) from None
    return result[0].points[0][1] if result else None


def from_report(path: Path, model: Model) -> Divergence:
    """The divergence in a report of `mlcp shadow-report --output FILE`."""
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
        name, task = report["model"], report["task"]
        value, comparisons = report["divergence"], report["comparisons"]
    except OSError as error:
        raise EvidenceError(f"cannot read the shadow report {path}: {error.strerror}") from None
    except (ValueError, KeyError, TypeError):
        raise EvidenceError(f"{path} is not a report written by `mlcp shadow-report`") from None
    if name != model.name or task != model.task:
        raise EvidenceError(f"{path} reports on {name} ({task}), not {model.name}")
    if value is None or not comparisons:
        raise EvidenceError(f"{path} holds no shadow comparisons of {model.name}")
    return Divergence(float(value), MEASURES[model.task], int(comparisons), f"report {path}")
