"""What Prometheus knows about an alert of a model: when it first fired, when its
condition first held, and the series its rule reads around that moment.

`ALERTS{alertstate="firing"}` has a sample at every evaluation while the alert
fires: its first sample is when it was detected. `ALERTS_FOR_STATE` holds, as
its value, the time the alert became active (its condition first held), which
is when the problem started as far as the rule can tell.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from controlplane import contract
from controlplane.model import Model
from controlplane.prometheus_api import Prometheus, Series
from controlplane.render.monitoring import humanize, promql
from controlplane.render.monitoring.guide import AlertGuide
from controlplane.render.runbook.bars import bar
from controlplane.render.runbook.sections import PostmortemFacts, SeriesAround

# The series a rule's expression reads: recorded (`mlcp:…`) or raw (`mlcp_…`) selectors.
SELECTOR = re.compile(r"\b(?:mlcp:[A-Za-z0-9_:]+|mlcp_[A-Za-z0-9_]+)\{[^}]*\}")
MAX_POINTS = 1000  # per series and query: Prometheus refuses more than 11,000


@dataclass(frozen=True)
class Window:
    since: float  # unix seconds
    until: float
    around: float  # seconds each side of the first firing


def utc(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def degraded(model: Model, guide: AlertGuide) -> str:
    """The rule's bar: `metric=ctr: < 2% over 6h`."""
    threshold, window = bar(model, guide)
    labels = ", ".join(f"{k}={v}" for k, v in guide.labels)
    return f"{labels + ': ' if labels else ''}{threshold} over {window}"


def _step(span: float) -> float:
    return float(max(1, math.ceil(span / MAX_POINTS)))


def _selector(alert: str, model: Model, labels: Sequence[tuple[str, str]] = ()) -> str:
    matchers = {"alertname": alert, contract.MODEL: model.name, **dict(labels)}
    return promql.selector("", matchers)


def first_firing(api: Prometheus, alert: str, model: Model, window: Window) -> Series | None:
    """The firing series with the earliest sample, its points from that sample on."""
    expr = "ALERTS" + _selector(alert, model, (("alertstate", "firing"),))
    step = _step(window.until - window.since)
    found = api.query_range(expr, window.since, window.until, step)
    if step > 1 and found:  # narrow the earliest step down (to the second, unless it is long)
        first = min(s.points[0][0] for s in found if s.points)
        found = api.query_range(expr, first - step, first, _step(step)) or found
    firing = [s for s in found if s.points]
    return min(firing, key=lambda s: s.points[0][0]) if firing else None


def guide_of(guides: Sequence[AlertGuide], labels: dict[str, str]) -> AlertGuide:
    """The rule whose own labels the firing alert carries."""
    matching = (g for g in guides if all(labels.get(k) == v for k, v in g.labels))
    return next(matching, guides[0])


def around(api: Prometheus, guide: AlertGuide, at: float, window: Window) -> list[SeriesAround]:
    start, end = at - window.around, min(at + window.around, window.until)
    step = max(1.0, window.around / 6)
    rows = []
    for selector in dict.fromkeys(SELECTOR.findall(guide.query)):
        for series in api.query_range(selector, start, end, step):
            shown = tuple((utc(t), f"{v:.6g}") for t, v in series.points)
            name = series.labels.get("__name__", selector.split("{")[0])
            labels = {k: v for k, v in series.labels.items() if k != "__name__"}
            rows.append(SeriesAround(promql.selector(name, labels), shown))
    return rows


def gather(
    api: Prometheus, model: Model, guides: Sequence[AlertGuide], window: Window
) -> PostmortemFacts:
    alert = guides[0].declaration.name
    firing = first_firing(api, alert, model, window)
    if firing is None:
        note = f"{alert} of {model.name} did not fire between {utc(window.since)} and "
        return PostmortemFacts(alert=alert, note=note + f"{utc(window.until)} in {api.url}.")
    detected = firing.points[0][0]
    guide = guide_of(guides, firing.labels)
    extra = tuple((k, v) for k, v in guide.labels)
    active = api.query("ALERTS_FOR_STATE" + _selector(alert, model, extra), detected)
    started = active[0].points[0][1] if active else None
    return PostmortemFacts(
        alert=alert,
        severity=firing.labels.get(contract.SEVERITY, guide.declaration.severity),
        metric=degraded(model, guide),
        started=utc(started) if started is not None else "",
        detected=utc(detected),
        time_to_detect=humanize.duration(round(detected - started)) if started is not None else "",
        series=tuple(around(api, guide, detected, window)),
    )
