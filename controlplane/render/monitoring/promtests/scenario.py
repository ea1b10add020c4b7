"""A promtool test group as data: input series, and what must (and must not) fire.

A scenario names the alerts it checks. For each of those promtool asserts
the exact set of firing alerts at the evaluation time: the alerts listed in
`firing` with their labels and fully expanded annotations, and nothing else.
An empty set is an assertion too: the alert stays silent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from controlplane.model import Config, Model
from controlplane.render.monitoring import promql
from controlplane.render.monitoring.rules import Alert

MINUTE = 60.0
# promtool evaluates every rule at every step from 0 to the last eval_time; the
# volume test spans a week, so steps of five minutes (not one) keep it quick.
# Input series still have a sample every minute.
EVALUATION_INTERVAL = 5 * MINUTE
SETTLE = 15 * MINUTE  # past the longest `for:` of the checked alerts: three evaluations


@dataclass(frozen=True)
class Firing:
    """One alert expected to fire: its rule, the labels of its series, its value."""

    alert: Alert
    series: Mapping[str, str]
    value: float | None


@dataclass(frozen=True)
class Sample:
    """An expected sample of a promql_expr_test."""

    name: str
    labels: Mapping[str, str]
    value: float


@dataclass
class Scenario:
    name: str
    checked: tuple[str, ...]  # alert names whose complete firing set is asserted
    eval_time: float  # seconds after the first sample
    interval: float = MINUTE
    series: list[tuple[str, str]] = field(default_factory=list)  # (series, values)
    firing: list[Firing] = field(default_factory=list)
    exprs: list[tuple[str, list[Sample]]] = field(default_factory=list)

    @property
    def steps(self) -> int:
        """Samples per input series: enough to cover the evaluation time."""
        return int(self.eval_time // self.interval) + 1

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
        if self.checked:
            group["alert_rule_test"] = [self._alert_test(n, model, config) for n in self.checked]
        if self.exprs:
            group["promql_expr_test"] = [self._expr_test(e, s) for e, s in self.exprs]
        return group

    def _alert_test(self, name: str, model: Model, config: Config) -> dict[str, Any]:
        expected = [
            {
                "exp_labels": {**f.series, **f.alert.labels(model)},
                "exp_annotations": f.alert.annotations(model, config, f.series, f.value),
            }
            for f in self.firing
            if f.alert.name == name
        ]
        expected.sort(key=lambda e: sorted(e["exp_labels"].items()))
        return {
            "alertname": name,
            "eval_time": promql.duration(self.eval_time),
            "exp_alerts": expected,
        }

    def _expr_test(self, expr: str, samples: list[Sample]) -> dict[str, Any]:
        return {
            "expr": expr,
            "eval_time": promql.duration(self.eval_time),
            "exp_samples": [
                {"labels": promql.selector(s.name, s.labels), "value": s.value}
                for s in sorted(samples, key=lambda s: sorted(s.labels.items()))
            ],
        }


def settle_time(alerts: list[Alert]) -> float:
    """An evaluation time after every one of these alerts has had its `for:`."""
    return max((a.for_seconds for a in alerts), default=0.0) + SETTLE
