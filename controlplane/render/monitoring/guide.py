"""What a runbook needs to say about each alert of a model: what it means, why
it waits, and how to confirm it (the PromQL of the rule, the dashboard panel
that shows its series). Read by the runbook renderer; derived from the alert
declarations and the model's rules, so it cannot disagree with either.
"""

from __future__ import annotations

from dataclasses import dataclass

from controlplane import contract
from controlplane.alerts import AlertDeclaration, panel_title
from controlplane.model import Model
from controlplane.render.monitoring import promql
from controlplane.render.monitoring.grafana import dashboard_title
from controlplane.render.monitoring.rec_drift import base_window
from controlplane.render.monitoring.rulefile import model_rules
from controlplane.render.monitoring.rules import Alert


@dataclass(frozen=True)
class AlertGuide:
    declaration: AlertDeclaration  # name, severity, meaning, `for` and why, inhibitions
    labels: tuple[tuple[str, str], ...]  # what tells this rule's alerts apart (feature, metric)
    query: str  # the rule's PromQL: run it to see what the alert sees
    dashboard: str  # the model's Grafana dashboard
    panel: str  # the panel on it that draws the alert's series

    @property
    def anchor(self) -> str:
        return contract.runbook_anchor(self.declaration.name)


def panel_of(model: Model, alert: Alert) -> str:
    labels = dict(alert.extra_labels)
    values: dict[str, object] = {
        "compare_to": promql.duration(model.drift.volume_compare_to),
    }
    if model.features and model.drift.windows:
        values["window"] = base_window(model)
    if contract.FEATURE in labels:
        feature = model.feature(labels[contract.FEATURE])
        values |= {"feature": feature.name, "warn": feature.psi.warn}
        values["critical"] = feature.psi.critical
    if contract.METRIC in labels:
        name = labels[contract.METRIC]
        windows = {m.name: m.window for m in model.quality.metrics}
        windows |= {p.name: p.window for p in model.quality.proxies}
        values |= {"metric": name, "window": promql.duration(windows[name])}
    return panel_title(alert.declaration, **values)


def alert_guides(model: Model) -> list[AlertGuide]:
    """One entry per alerting rule of the model, in rule-file order."""
    return [
        AlertGuide(
            declaration=alert.declaration,
            labels=alert.extra_labels,
            query=alert.expr,
            dashboard=dashboard_title(model),
            panel=panel_of(model, alert),
        )
        for alert in model_rules(model).alerts
    ]
