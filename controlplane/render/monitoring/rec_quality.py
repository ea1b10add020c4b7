"""Recording rules for model performance: quality metrics from the label
counters over each metric's window, and the proxies."""

from __future__ import annotations

from collections.abc import Callable

from controlplane import contract
from controlplane.model import Model, QualityMetric
from controlplane.render.monitoring import promql
from controlplane.render.monitoring.rules import Recording

# Classification: (numerator outcomes, denominator outcomes). F1 is
# 2tp / (2tp + fp + fn), written as 2·tp / (tp + (tp + fp + fn)).
CLASSIFICATION: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "precision": (("tp",), ("tp", "fp")),
    "recall": (("tp",), ("tp", "fn")),
    "f1": (("tp",), ("tp", "fp", "fn")),
    "accuracy": (("tp", "tn"), ("tp", "fp", "tn", "fn")),
    "false_negative_rate": (("fn",), ("fn", "tp")),
    "false_positive_rate": (("fp",), ("fp", "tn")),
}


def _outcomes(model: Model, window: str, outcomes: tuple[str, ...]) -> str:
    matcher = f"{contract.OUTCOME}=~{promql.string('|'.join(outcomes))}"
    if len(outcomes) == 1:
        matcher = f"{contract.OUTCOME}={promql.string(outcomes[0])}"
    series = promql.recorded(contract.REC_LABEL_OUTCOMES, window, model.name, (matcher,))
    return f"sum by (model) ({series})"


def classification(model: Model, metric: str, window: str) -> str:
    numerator, denominator = CLASSIFICATION[metric]
    top = _outcomes(model, window, numerator)
    bottom = _outcomes(model, window, denominator)
    if metric == "f1":
        return f"2 * {top}\n/\n({top} + {bottom})"
    return f"{top}\n/\n{bottom}"


def _increase(model: Model, series: str, window: str) -> str:
    return promql.increase_by_model(series, model.name, window)


def regression(model: Model, metric: str, window: str) -> str:
    def inc(series: str) -> str:
        return _increase(model, series, window)

    count = inc(contract.LABEL_COUNT)
    if metric == "mae":
        return f"{inc(contract.LABEL_ERROR_SUM)}\n/\n{count}"
    if metric == "rmse":
        return f"sqrt(\n  {inc(contract.LABEL_SQUARED_ERROR_SUM)}\n/\n  {count}\n)"
    # R² = 1 − SSE / SST, with SST = Σy² − (Σy)²/n.
    sst = (
        f"{inc(contract.LABEL_TARGET_SQUARED_SUM)}\n"
        f"- {inc(contract.LABEL_TARGET_SUM)} ^ 2 / {count}"
    )
    return f"1 - {inc(contract.LABEL_SQUARED_ERROR_SUM)}\n/\n(\n{sst}\n)"


def ranking(model: Model, metric: str, window: str) -> str:
    total = contract.RANKING_NDCG_SUM if metric == "ndcg" else contract.RANKING_AP_SUM
    queries = _increase(model, contract.RANKING_QUERIES_TOTAL, window)
    return f"{_increase(model, total, window)}\n/\n{queries}"


FORMULAS: dict[str, Callable[[Model, str, str], str]] = {
    "classification": classification,
    "regression": regression,
    "ranking": ranking,
}


def metric_recording(model: Model, metric: QualityMetric) -> Recording:
    window = promql.duration(metric.window)
    return Recording(
        contract.recorded(contract.REC_MODEL_QUALITY, window),
        FORMULAS[model.task](model, metric.name, window),
        ((contract.METRIC, metric.name),),
    )


def outcome_recordings(model: Model) -> list[Recording]:
    if model.task != "classification":
        return []
    outcomes = promql.of_model(contract.LABEL_OUTCOMES_TOTAL, model.name)
    windows = sorted({m.window for m in model.quality.metrics})
    return [
        Recording(
            contract.recorded(contract.REC_LABEL_OUTCOMES, promql.duration(w)),
            f"sum by (model, outcome) (increase({outcomes}[{promql.duration(w)}]))",
        )
        for w in windows
    ]


def proxy_recordings(model: Model) -> list[Recording]:
    recordings = []
    for proxy in model.quality.proxies:
        window = promql.duration(proxy.window)
        top = _increase(model, proxy.numerator, window)
        bottom = _increase(model, proxy.denominator, window)
        recordings.append(
            Recording(
                contract.recorded(contract.REC_MODEL_PROXY, window),
                f"{top}\n/\n{bottom}",
                ((contract.METRIC, proxy.name),),
            )
        )
    return recordings


def quality_recordings(model: Model) -> list[Recording]:
    metrics = [metric_recording(model, m) for m in model.quality.metrics]
    return [*outcome_recordings(model), *metrics, *proxy_recordings(model)]
