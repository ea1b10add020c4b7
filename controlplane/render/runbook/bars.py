"""Each alerting rule's bar in words a person checks against the spec: the threshold
it compares with and the window it looks over.

The numbers come from the model (the spec's values, normalized) and from the
same tables the rules read (`signals`, `contract.BURN_RATE_WINDOWS`), written
in the units a spec uses: `150ms`, `3%`, `4h`.
"""

from __future__ import annotations

from collections.abc import Callable

from controlplane import contract, signals, units
from controlplane.alerts import BarKind
from controlplane.domain import LATENCY_QUANTILES, RATE_METRICS
from controlplane.model import Model
from controlplane.render.monitoring import humanize
from controlplane.render.monitoring.alerts_system import absent_window
from controlplane.render.monitoring.guide import AlertGuide
from controlplane.render.monitoring.rec_drift import windows as drift_windows
from controlplane.render.monitoring.rec_system import SLA_WINDOW, VOLUME_WINDOW
from controlplane.render.monitoring.shadow import WINDOW as SHADOW_WINDOW

Bar = tuple[str, str]  # (threshold, window)
LATENCY_ALERTS = {contract.ALERT_LATENCY.format(quantile=q.upper()): q for q in LATENCY_QUANTILES}


def duration(seconds: float) -> str:
    """A duration as a spec writes it: `150ms`, `4h`, `1w`, `9mo`."""
    whole = round(seconds)
    if whole >= units.YEAR and whole % units.YEAR == 0:
        return f"{whole // int(units.YEAR)}y"
    if whole >= 2 * units.MONTH and whole % units.MONTH == 0 and whole % (7 * units.DAY):
        return f"{whole // int(units.MONTH)}mo"
    return units.format_duration(seconds, largest="w")


def percent(value: float) -> str:
    return humanize.percent(value)


def number(value: float) -> str:
    return f"{value:g}"


def _past(low: float | None, high: float | None, show: Callable[[float], str]) -> str:
    if low is not None and high is not None:
        return f"outside {show(low)} … {show(high)}"
    if low is not None:
        return f"< {show(low)}"
    return f"> {show(high if high is not None else 0.0)}"


def _latency(model: Model, guide: AlertGuide) -> Bar:
    quantile = LATENCY_ALERTS[guide.declaration.name]
    threshold = getattr(model.sla.latency, quantile)
    return f"> {duration(threshold)}", SLA_WINDOW


def _burn(model: Model, guide: AlertGuide) -> Bar:
    labels = dict(guide.labels)
    long, short = labels[contract.LONG_WINDOW], labels[contract.SHORT_WINDOW]
    factor = next(f for lw, sw, f, _ in contract.BURN_RATE_WINDOWS if (lw, sw) == (long, short))
    budget = model.sla.error_budget or 0.0
    bar = f"> {factor:g} × {percent(budget)} error budget = {percent(factor * budget)}"
    return bar, f"{long} and {short}"


def _error_rate(model: Model, guide: AlertGuide) -> Bar:
    return f"> {percent(model.sla.error_rate or 0.0)}", SLA_WINDOW


def _volume(model: Model, guide: AlertGuide) -> Bar:
    drop = model.drift.volume_max_drop
    compare_to = duration(model.drift.volume_compare_to)
    return f"< {percent(1 - drop)} of {compare_to} earlier (a drop over {percent(drop)})", (
        VOLUME_WINDOW
    )


def _absent(model: Model, guide: AlertGuide) -> Bar:
    quiet = absent_window(model)
    window = duration(quiet if quiet is not None else guide.declaration.for_seconds)
    return f"no {contract.PREDICTIONS_TOTAL} series", window


def _data(model: Model, guide: AlertGuide) -> Bar:
    signal = signals.signal_of_alert(guide.declaration.name)
    labels = dict(guide.labels)
    feature = (
        model.feature(labels[contract.FEATURE])
        if contract.FEATURE in labels
        else next(f for f in model.features if signal.applies_to(f))
    )
    parts = []
    for condition, value in zip(signal.conditions, signal.thresholds(model, feature), strict=True):
        unit = signals.FIGURES[condition.figure].unit
        shown = percent(value) if unit == "percent" else number(value)
        suffix = "× training" if unit == "times" else ""
        parts.append(f"{condition.figure} {condition.comparison} {shown}{suffix}")
    if signal.per_feature:
        return " and ".join(parts), "worst of " + ", ".join(drift_windows(model))
    return " and ".join(parts), drift_windows(model)[0]


def _quality(model: Model, guide: AlertGuide) -> Bar:
    name = dict(guide.labels)[contract.METRIC]
    for metric in model.quality.metrics:
        if metric.name == name:
            show = percent if name in RATE_METRICS else number
            return _past(metric.min, metric.max, show), duration(metric.window)
    proxy = next(p for p in model.quality.proxies if p.name == name)
    return _past(proxy.min, proxy.max, percent), duration(proxy.window)


def _shadow(model: Model, guide: AlertGuide) -> Bar:
    shadow = model.rollout.shadow
    return f"> {percent(shadow.max_divergence if shadow else 0.0)}", SHADOW_WINDOW


BARS: dict[BarKind, Callable[[Model, AlertGuide], Bar]] = {
    "latency": _latency,
    "burn": _burn,
    "error_rate": _error_rate,
    "volume": _volume,
    "absent": _absent,
    "data": _data,
    "quality": _quality,
    "shadow": _shadow,
}


def bar(model: Model, guide: AlertGuide) -> Bar:
    """The threshold and window of one alerting rule."""
    return BARS[guide.declaration.bar](model, guide)
