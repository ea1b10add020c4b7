"""A model's Prometheus rule file: recording groups first, then its alerts."""

from __future__ import annotations

from dataclasses import dataclass

from controlplane.model import Config, Model
from controlplane.render.monitoring.alerts_data import data_alerts
from controlplane.render.monitoring.alerts_quality import quality_alerts
from controlplane.render.monitoring.alerts_system import system_alerts
from controlplane.render.monitoring.rec_drift import drift_recordings
from controlplane.render.monitoring.rec_quality import quality_recordings
from controlplane.render.monitoring.rec_system import system_recordings
from controlplane.render.monitoring.rules import Alert, Group, Recording, rule_file
from controlplane.render.monitoring.shadow import shadow_alerts, shadow_recordings
from controlplane.render.monitoring.yamlio import dumps


@dataclass(frozen=True)
class ModelRules:
    """Everything generated for one model's rule file.

    Recordings sit in one group per kind, in dependency order (a group runs its
    rules in order); alerts in a group of their own.
    """

    model: Model
    system: tuple[Recording, ...]
    drift: tuple[Recording, ...]
    quality: tuple[Recording, ...]
    alerts: tuple[Alert, ...]

    @property
    def recordings(self) -> tuple[Recording, ...]:
        return (*self.system, *self.drift, *self.quality)

    def groups(self) -> list[Group]:
        prefix = f"mlcp.{self.model.name}"
        return [
            Group(f"{prefix}.system", self.system),
            Group(f"{prefix}.drift", self.drift),
            Group(f"{prefix}.quality", self.quality),
            Group(f"{prefix}.alerts", self.alerts),
        ]

    def alerts_named(self, name: str) -> list[Alert]:
        return [a for a in self.alerts if a.name == name]


def model_rules(model: Model) -> ModelRules:
    return ModelRules(
        model,
        tuple(system_recordings(model)),
        tuple(drift_recordings(model)),
        (*quality_recordings(model), *shadow_recordings(model)),
        (
            *system_alerts(model),
            *data_alerts(model),
            *quality_alerts(model),
            *shadow_alerts(model),
        ),
    )


def render_rules(rules: ModelRules, config: Config) -> str:
    return dumps(rule_file(rules.groups(), rules.model, config), rules.model.source)
