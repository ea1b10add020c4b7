"""The CloudWatch alarms of a realtime endpoint: one per SLA bound and per `rollback_on` signal.

Plain data: which metric, which statistic, which threshold in which unit. SageMaker
publishes latency in microseconds and errors as counts; the quality bars and
proxies are the model's own metrics, which its monitor publishes under the `mlcp`
namespace with a `model` dimension.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from controlplane import domain
from controlplane.model import Model

SAGEMAKER = "AWS/SageMaker"
MODEL_NAMESPACE = "mlcp"
MICROSECONDS = 1_000_000
PERIOD = 60  # seconds; a breach must last EVALUATION minutes
EVALUATION = 5

Comparison = Literal["GreaterThanThreshold", "LessThanThreshold"]


@dataclass(frozen=True)
class Alarm:
    signal: str  # as `rollback_on` names it
    kind: Literal["latency", "errors", "model_metric"]
    threshold: float
    comparison: Comparison
    statistic: str  # p99 for latency, Sum for the error ratio's parts, Maximum/Minimum else
    description: str

    @property
    def slug(self) -> str:
        return self.signal.replace("_", "-")


def endpoint_alarms(model: Model) -> tuple[Alarm, ...]:
    """The SLA alarms (p99 latency, 5XX ratio) and one per other `rollback_on` signal."""
    signals = [domain.latency_signal("p99"), domain.ERROR_RATE, *model.rollout.rollback_on]
    alarms: list[Alarm] = []
    for signal in dict.fromkeys(signals):  # once each, in this order
        alarm = _alarm(model, signal)
        if alarm is not None:
            alarms.append(alarm)
    return tuple(alarms)


def _alarm(model: Model, signal: str) -> Alarm | None:
    for quantile in domain.LATENCY_QUANTILES:
        if signal == domain.latency_signal(quantile):
            bound = getattr(model.sla.latency, quantile)
            if bound is None:
                return None
            return Alarm(
                signal,
                "latency",
                round(bound * MICROSECONDS),
                "GreaterThanThreshold",
                quantile,
                f"{model.name}: ModelLatency {quantile} above the SLA ({bound * 1000:g} ms)",
            )
    if signal == domain.ERROR_RATE:
        budget = model.sla.error_budget
        if budget is None:
            return None
        return Alarm(
            signal,
            "errors",
            budget,
            "GreaterThanThreshold",
            "Sum",
            f"{model.name}: 5XX share of invocations above the error budget ({budget:.4%})",
        )
    return _model_metric(model, signal)


def _model_metric(model: Model, signal: str) -> Alarm | None:
    bars = [(m.name, m.min, m.max) for m in model.quality.metrics]
    bars += [(p.name, p.min, p.max) for p in model.quality.proxies]
    for name, low, high in bars:
        if name != signal:
            continue
        if low is not None:
            return Alarm(
                signal,
                "model_metric",
                low,
                "LessThanThreshold",
                "Minimum",
                f"{model.name}: {signal} below {low:g}",
            )
        if high is not None:
            return Alarm(
                signal,
                "model_metric",
                high,
                "GreaterThanThreshold",
                "Maximum",
                f"{model.name}: {signal} above {high:g}",
            )
    return None
