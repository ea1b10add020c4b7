"""Test scenarios for the quality alerts: label counters that put each metric
just past its bar and just inside it; the same for each proxy."""

from __future__ import annotations

import math
from collections.abc import Callable

from controlplane import contract
from controlplane.domain import METRIC_RANGES, PROXY_RANGE
from controlplane.model import Model, QualityMetric
from controlplane.render.monitoring.promtests.scenario import Firing, Scenario
from controlplane.render.monitoring.rulefile import ModelRules

Counters = dict[str, float]  # series (or outcome) -> increase per interval
POSITIVES = 10_000
SAMPLES, MEAN, VARIANCE = 1000, 100.0, 400.0  # regression: labels per interval and their spread
QUERIES = 1000


def targets(
    name: str, low: float | None, high: float | None, bounds: tuple[float, float]
) -> list[tuple[str, float]]:
    """(case, value): past each bar, and one value inside the bars; every value within
    ``bounds``, the values the metric can take (a recall below 0 has no counts)."""
    floor, cap = bounds
    cases = []
    if low is not None:
        below = max(low - max(abs(low) * 0.1, 0.01), (low + floor) / 2)
        cases.append((f"{name} below its minimum", below))
    if high is not None:
        cases.append((f"{name} above its maximum", min(high + abs(high) * 0.2, (high + cap) / 2)))
    if low is not None and high is not None:
        inside = (low + high) / 2
    elif low is not None:
        inside = min(low + max(abs(low) * 0.1, 0.01), (low + cap) / 2)
    else:
        inside = (high or 0.0) * 0.9
    return [*cases, (f"{name} inside its bar", inside)]


def classification(metric: str, value: float) -> Counters:
    """Outcome counts (tp, fp, tn, fn) where `metric` comes out near `value`."""
    tp, fn, fp, tn = 9900.0, 100.0, 100.0, 9900.0
    if metric == "recall":
        tp = round(value * POSITIVES)
        fn = POSITIVES - tp
    elif metric == "false_negative_rate":
        fn = round(value * POSITIVES)
        tp = POSITIVES - fn
    elif metric == "false_positive_rate":
        fp = round(value * POSITIVES)
        tn = POSITIVES - fp
    elif metric == "precision":
        fp = round(tp * (1 - value) / value)
    elif metric == "f1":
        wrong = round(2 * tp * (1 - value) / value)
        fp, fn = wrong // 2, wrong - wrong // 2
    elif metric == "accuracy":
        correct = round(value * 2 * POSITIVES)
        tp, tn = correct // 2, correct - correct // 2
        wrong = 2 * POSITIVES - correct
        fp, fn = wrong // 2, wrong - wrong // 2
    return {"tp": tp, "fp": fp, "tn": tn, "fn": fn}


def classification_value(metric: str, c: Counters) -> float:
    tp, fp, tn, fn = c["tp"], c["fp"], c["tn"], c["fn"]
    return {
        "precision": lambda: tp / (tp + fp),
        "recall": lambda: tp / (tp + fn),
        "f1": lambda: 2 * tp / (tp + (tp + fp + fn)),
        "accuracy": lambda: (tp + tn) / (tp + fp + tn + fn),
        "false_negative_rate": lambda: fn / (fn + tp),
        "false_positive_rate": lambda: fp / (fp + tn),
    }[metric]()


def regression(metric: str, value: float) -> Counters:
    sst = SAMPLES * VARIANCE
    counters = {
        contract.LABEL_COUNT: float(SAMPLES),
        contract.LABEL_TARGET_SUM: SAMPLES * MEAN,
        contract.LABEL_TARGET_SQUARED_SUM: SAMPLES * (VARIANCE + MEAN**2),
        contract.LABEL_ERROR_SUM: float(SAMPLES),
        contract.LABEL_SQUARED_ERROR_SUM: float(SAMPLES),
    }
    if metric == "mae":
        counters[contract.LABEL_ERROR_SUM] = value * SAMPLES
    elif metric == "rmse":
        counters[contract.LABEL_SQUARED_ERROR_SUM] = value**2 * SAMPLES
    else:
        counters[contract.LABEL_SQUARED_ERROR_SUM] = (1 - value) * sst
    return counters


def regression_value(metric: str, c: Counters) -> float:
    n, sse = c[contract.LABEL_COUNT], c[contract.LABEL_SQUARED_ERROR_SUM]
    if metric == "mae":
        return c[contract.LABEL_ERROR_SUM] / n
    if metric == "rmse":
        return math.sqrt(sse / n)
    sst = c[contract.LABEL_TARGET_SQUARED_SUM] - c[contract.LABEL_TARGET_SUM] ** 2 / n
    return 1 - sse / sst


def ranking(metric: str, value: float) -> Counters:
    counters = {
        contract.RANKING_QUERIES_TOTAL: float(QUERIES),
        contract.RANKING_NDCG_SUM: 0.95 * QUERIES,
        contract.RANKING_AP_SUM: 0.9 * QUERIES,
    }
    counters[contract.RANKING_NDCG_SUM if metric == "ndcg" else contract.RANKING_AP_SUM] = (
        value * QUERIES
    )
    return counters


def ranking_value(metric: str, c: Counters) -> float:
    total = c[contract.RANKING_NDCG_SUM if metric == "ndcg" else contract.RANKING_AP_SUM]
    return total / c[contract.RANKING_QUERIES_TOTAL]


TASKS: dict[str, tuple[Callable[[str, float], Counters], Callable[[str, Counters], float]]] = {
    "classification": (classification, classification_value),
    "regression": (regression, regression_value),
    "ranking": (ranking, ranking_value),
}


def past(value: float, low: float | None, high: float | None) -> bool:
    return (low is not None and value < low) or (high is not None and value > high)


def feed(scenario: Scenario, model: Model, counters: Counters) -> None:
    for name, per_step in counters.items():
        if model.task == "classification":
            labels = {contract.MODEL: model.name, contract.OUTCOME: name}
            scenario.counter(contract.LABEL_OUTCOMES_TOTAL, labels, per_step)
        else:
            scenario.counter(name, {contract.MODEL: model.name}, per_step)


def metric_scenarios(rules: ModelRules, metric: QualityMetric) -> list[Scenario]:
    model = rules.model
    alerts = {
        dict(a.extra_labels)[contract.METRIC]: a for a in rules.alerts if a.category == "quality"
    }
    quality = [alerts[m.name] for m in model.quality.metrics]
    make, measure = TASKS[model.task]
    scenarios = []
    for case, value in targets(metric.name, metric.min, metric.max, METRIC_RANGES[metric.name]):
        counters = make(metric.name, value)
        scenario = Scenario(case, tuple(quality))
        feed(scenario, model, counters)
        for other in model.quality.metrics:
            got = measure(other.name, counters)
            if past(got, other.min, other.max):
                labels = {contract.MODEL: model.name, contract.METRIC: other.name}
                scenario.firing.append(Firing(alerts[other.name], labels, got))
        scenarios.append(scenario)
    return scenarios


def proxy_scenarios(rules: ModelRules) -> list[Scenario]:
    model = rules.model
    alerts = {
        dict(a.extra_labels)[contract.METRIC]: a for a in rules.alerts if a.category == "quality"
    }
    scenarios = []
    for proxy in model.quality.proxies:
        alert = alerts[proxy.name]
        for case, value in targets(proxy.name, proxy.min, proxy.max, PROXY_RANGE):
            scenario = Scenario(case, (alert,))
            events = round(value * POSITIVES)
            scenario.counter(proxy.numerator, {contract.MODEL: model.name}, events)
            scenario.counter(proxy.denominator, {contract.MODEL: model.name}, POSITIVES)
            if past(events / POSITIVES, proxy.min, proxy.max):
                labels = {contract.MODEL: model.name, contract.METRIC: proxy.name}
                scenario.firing.append(Firing(alert, labels, events / POSITIVES))
            scenarios.append(scenario)
    return scenarios


def quality_scenarios(rules: ModelRules) -> list[Scenario]:
    metrics = [s for m in rules.model.quality.metrics for s in metric_scenarios(rules, m)]
    return [*metrics, *proxy_scenarios(rules)]
