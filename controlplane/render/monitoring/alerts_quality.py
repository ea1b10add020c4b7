"""Alerts on model performance: quality metrics past their bars, and proxies."""

from __future__ import annotations

from controlplane import contract
from controlplane.alerts import declared
from controlplane.model import Model
from controlplane.render.monitoring import humanize, promql
from controlplane.render.monitoring.humanize import ValueFormat
from controlplane.render.monitoring.rules import Alert


def past_bar(series: str, low: float | None, high: float | None) -> str:
    parts = []
    if low is not None:
        parts.append(f"{series} < {promql.number(low)}")
    if high is not None:
        parts.append(f"{series} > {promql.number(high)}")
    return "\nor\n".join(parts)


def bar_text(fmt: ValueFormat, low: float | None, high: float | None) -> str:
    show = humanize.FORMATTERS[fmt]
    if low is not None and high is not None:
        return f"between {show(low)} and {show(high)}"
    if low is not None:
        return f"at least {show(low)}"
    return f"at most {show(high if high is not None else 0.0)}"


def metric_format(model: Model) -> ValueFormat:
    """Classification metrics are shares; regression errors and ranking scores are numbers."""
    return "percent" if model.task == "classification" else "number"


def quality(model: Model) -> list[Alert]:
    alerts = []
    fmt = metric_format(model)
    for metric in model.quality.metrics:
        window = promql.duration(metric.window)
        series = promql.recorded(contract.REC_MODEL_QUALITY, window, model.name, metric=metric.name)
        broken = metric.broken
        alerts.append(
            Alert(
                declaration=declared(
                    contract.ALERT_MODEL_BROKEN if broken else contract.ALERT_QUALITY_LOW
                ),
                expr=past_bar(series, metric.min, metric.max),
                summary=f"{model.name}: {metric.name} past its bar"
                + (" (model broken)" if broken else ""),
                head=f"{metric.name} over the last {window} is ",
                value_format=fmt,
                tail=f"; the spec requires {bar_text(fmt, metric.min, metric.max)}.",
                extra_labels=((contract.METRIC, metric.name),),
            )
        )
    return alerts


def proxies(model: Model) -> list[Alert]:
    alerts = []
    for proxy in model.quality.proxies:
        window = promql.duration(proxy.window)
        series = promql.recorded(contract.REC_MODEL_PROXY, window, model.name, metric=proxy.name)
        broken = proxy.broken
        alerts.append(
            Alert(
                declaration=declared(
                    contract.ALERT_PROXY_BROKEN if broken else contract.ALERT_PROXY_DEGRADED
                ),
                expr=past_bar(series, proxy.min, proxy.max),
                summary=f"{model.name}: proxy metric {proxy.name} past its bar",
                head=f"{proxy.name} ({proxy.numerator} per {proxy.denominator}) over the last "
                f"{window} is ",
                value_format="percent",
                tail=f"; the spec requires {bar_text('percent', proxy.min, proxy.max)}.",
                extra_labels=((contract.METRIC, proxy.name),),
            )
        )
    return alerts


def quality_alerts(model: Model) -> list[Alert]:
    return [*quality(model), *proxies(model)]
