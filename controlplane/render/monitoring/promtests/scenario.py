"""A promtool test group as data: input series, and what must (and must not) fire.

A scenario names the alerts it checks and the time its inputs cross their
thresholds. For each checked alert promtool asserts the exact set of firing
alerts at two times: the last evaluation before the alert's `for` has passed
(where it is still pending, so promtool must see nothing) and the first one
after (where it fires, with its labels and fully expanded annotations). An
empty set is an assertion too: the alert stays silent.

Expected labels come from the spec and the declared severity table
(`controlplane.alerts`), not from the rule that was rendered.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from controlplane import contract
from controlplane.alerts import AlertDeclaration
from controlplane.model import Config, Model
from controlplane.render.monitoring import promql
from controlplane.render.monitoring.rules import Alert
from controlplane.units import MINUTE

# promtool evaluates every rule at every step from 0 to the last eval_time; the
# volume test spans a week, so steps of five minutes (not one) keep it quick.
# Input series still have a sample every minute.
EVALUATION_INTERVAL = 5 * MINUTE
# Counters fed from time 0 give rate() two samples at the first evaluation after
# 0: that is when every threshold over them is crossed.
FIRST_EVALUATION = EVALUATION_INTERVAL


@dataclass(frozen=True)
class Firing:
    """One alert expected to fire: its rule, the labels of its series, its value.

    `shown` holds what the description reads beyond the series' labels (the
    worst drift window).
    """

    alert: Alert
    series: Mapping[str, str]
    value: float | None
    shown: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Sample:
    """An expected sample of a promql_expr_test."""

    name: str
    labels: Mapping[str, str]
    value: float


def expected_labels(model: Model, declaration: AlertDeclaration) -> dict[str, str]:
    """What every alert of this declaration carries, from the spec and the declaration."""
    return {
        contract.SEVERITY: declaration.severity,
        contract.MODEL: model.name,
        contract.TEAM: model.team,
        contract.TIER: model.tier,
        contract.CATEGORY: declaration.category,
    }


def pending_window(for_seconds: float) -> float:
    """Evaluations take this long from crossing to firing: `for`, rounded up to a step."""
    return math.ceil(for_seconds / EVALUATION_INTERVAL) * EVALUATION_INTERVAL


@dataclass
class Scenario:
    name: str
    checked: tuple[Alert, ...]  # alerts whose complete firing set is asserted
    crossed_at: float = FIRST_EVALUATION  # when the inputs cross (or stay inside) thresholds
    interval: float = MINUTE
    margin: float = 0.0  # how far from crossed_at the crossing may really be
    series: list[tuple[str, str]] = field(default_factory=list)  # (series, values)
    firing: list[Firing] = field(default_factory=list)
    exprs: list[tuple[str, list[Sample]]] = field(default_factory=list)
    expr_time: float | None = None  # when the promql_expr_tests are checked

    def check_times(self, alert: Alert) -> tuple[float, float]:
        """The last evaluation where the alert must still be pending, and the first
        where it must fire."""
        fires = self.crossed_at + pending_window(alert.for_seconds)
        return max(fires - EVALUATION_INTERVAL - self.margin, 0.0), fires + self.margin

    @cached_property
    def end(self) -> float:
        return max((self.check_times(a)[1] for a in self.checked), default=self.crossed_at)

    @cached_property
    def steps(self) -> int:
        """Samples per input series: enough to cover the last check."""
        return int(self.end // self.interval) + 1

    def counter(self, name: str, labels: Mapping[str, str], per_step: float) -> None:
        """A counter starting at 0 and growing by per_step each interval."""
        self.series.append(
            (promql.selector(name, labels), f"0+{promql.number(per_step)}x{self.steps}")
        )

    def gauge(self, name: str, labels: Mapping[str, str], value: float) -> None:
        self.series.append(
            (promql.selector(name, labels), f"{promql.number(value)}+0x{self.steps}")
        )

    def as_dict(self, model: Model, config: Config) -> dict[str, Any]:
        group: dict[str, Any] = {
            "name": self.name,
            "interval": promql.duration(self.interval),
            "input_series": [{"series": s, "values": v} for s, v in self.series],
        }
        tests = []
        names = sorted({a.name for a in self.checked})
        for name in names:
            times = sorted({t for a in self.checked if a.name == name for t in self.check_times(a)})
            tests += [self._alert_test(name, t, model, config) for t in times]
        if tests:
            group["alert_rule_test"] = tests
        if self.exprs:
            group["promql_expr_test"] = [self._expr_test(e, s) for e, s in self.exprs]
        return group

    def _alert_test(self, name: str, time: float, model: Model, config: Config) -> dict[str, Any]:
        elapsed = time - self.crossed_at
        expected = [
            {
                "exp_labels": {**f.series, **expected_labels(model, f.alert.declaration)},
                "exp_annotations": f.alert.annotations(
                    model, config, {**f.series, **f.shown}, f.value
                ),
            }
            for f in self.firing
            if f.alert.name == name and elapsed >= pending_window(f.alert.for_seconds)
        ]
        expected.sort(key=lambda e: sorted(e["exp_labels"].items()))
        return {
            "alertname": name,
            "eval_time": promql.duration(time),
            "exp_alerts": expected,
        }

    def _expr_test(self, expr: str, samples: list[Sample]) -> dict[str, Any]:
        return {
            "expr": expr,
            "eval_time": promql.duration(self.expr_time or self.end),
            "exp_samples": [
                {"labels": promql.selector(s.name, s.labels), "value": s.value}
                for s in sorted(samples, key=lambda s: sorted(s.labels.items()))
            ],
        }
