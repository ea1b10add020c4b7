"""Test scenarios for the shadow divergence alert: a candidate just past the bound, one inside.

Each minute 1,000 requests are compared; the divergence sum grows by the
divergence times the weight sum, so the recorded figure is that divergence.
"""

from __future__ import annotations

from controlplane import contract
from controlplane.render.monitoring.promtests.scenario import Firing, Scenario
from controlplane.render.monitoring.rulefile import ModelRules

COMPARED = 1000.0  # requests compared per interval, each of weight 1


def shadow_scenarios(rules: ModelRules) -> list[Scenario]:
    shadow, model = rules.model.rollout.shadow, rules.model
    alerts = rules.alerts_named(contract.ALERT_SHADOW_DIVERGENCE)
    if shadow is None or not alerts:
        return []
    labels = {contract.MODEL: model.name}
    scenarios = []
    for case, divergence in (
        ("shadow divergence above its bound", round(shadow.max_divergence * 1.2, 9)),
        ("shadow divergence inside its bound", round(shadow.max_divergence * 0.8, 9)),
    ):
        scenario = Scenario(case, tuple(alerts))
        scenario.counter(contract.SHADOW_COMPARISONS_TOTAL, labels, COMPARED)
        scenario.counter(contract.SHADOW_WEIGHT_SUM, labels, COMPARED)
        scenario.counter(contract.SHADOW_DIVERGENCE_SUM, labels, round(divergence * COMPARED, 6))
        if divergence > shadow.max_divergence:
            scenario.firing.append(Firing(alerts[0], labels, divergence))
        scenarios.append(scenario)
    return scenarios
