"""Monitoring as code: from each spec, the Prometheus rules that watch system
health, data health and model performance, promtool tests proving each alert
fires exactly when the spec says, the Alertmanager routes and a Grafana
dashboard per model."""

from __future__ import annotations

from collections.abc import Sequence

from controlplane.model import Config, Model
from controlplane.render import Artifact
from controlplane.render.monitoring.alertmanager import render_alertmanager
from controlplane.render.monitoring.grafana import render_dashboard
from controlplane.render.monitoring.promtests import render_tests
from controlplane.render.monitoring.rulefile import model_rules, render_rules

PROMETHEUS = "monitoring/prometheus"
GRAFANA = "monitoring/grafana"
ALERTMANAGER = "monitoring/alertmanager.yml"


def rule_artifacts(model: Model, config: Config) -> list[Artifact]:
    rules = model_rules(model)
    stats = (("rules", len(rules.recordings) + len(rules.alerts)), ("alerts", len(rules.alerts)))
    return [
        Artifact(
            f"{PROMETHEUS}/{model.name}.rules.yml", render_rules(rules, config), model.name, stats
        ),
        Artifact(
            f"{PROMETHEUS}/tests/{model.name}.test.yml", render_tests(rules, config), model.name
        ),
    ]


def render(models: Sequence[Model], config: Config) -> list[Artifact]:
    artifacts: list[Artifact] = []
    for model in sorted(models, key=lambda m: m.name):
        artifacts += rule_artifacts(model, config)
        artifacts.append(
            Artifact(f"{GRAFANA}/{model.name}.json", render_dashboard(model), model.name)
        )
    artifacts.append(Artifact(ALERTMANAGER, render_alertmanager(models, config)))
    return artifacts


def render_model(model: Model, config: Config) -> list[Artifact]:
    """The files of one model (rules, promtool tests, dashboard): what `render` makes for it.

    Reads no other model, so a build can render models apart and skip unchanged ones.
    """
    return [
        *rule_artifacts(model, config),
        Artifact(f"{GRAFANA}/{model.name}.json", render_dashboard(model), model.name),
    ]


def render_shared(models: Sequence[Model], config: Config) -> list[Artifact]:
    """The files made from every model together: what `render` makes besides `render_model`."""
    return [Artifact(ALERTMANAGER, render_alertmanager(models, config))]
