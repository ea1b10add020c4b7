"""Generated promtool unit tests: for every alert, inputs that make it fire and
inputs just inside its threshold that keep it silent."""

from __future__ import annotations

from typing import Any

from controlplane.model import Config
from controlplane.render.monitoring.promql import duration
from controlplane.render.monitoring.promtests.drift import drift_scenarios
from controlplane.render.monitoring.promtests.quality import quality_scenarios
from controlplane.render.monitoring.promtests.scenario import EVALUATION_INTERVAL, Scenario
from controlplane.render.monitoring.promtests.shadow import shadow_scenarios
from controlplane.render.monitoring.promtests.system import system_scenarios
from controlplane.render.monitoring.rulefile import ModelRules
from controlplane.render.monitoring.yamlio import dumps


def scenarios(rules: ModelRules) -> list[Scenario]:
    return [
        *system_scenarios(rules),
        *drift_scenarios(rules),
        *quality_scenarios(rules),
        *shadow_scenarios(rules),
    ]


def test_file(rules: ModelRules, config: Config) -> dict[str, Any]:
    model = rules.model
    # promtool otherwise runs the rule groups in any order, so an alert could read a
    # recording one evaluation late and its `for` would seem a step longer.
    order = [group.name for group in rules.groups() if group.rules]
    return {
        "rule_files": [f"../{model.name}.rules.yml"],
        "evaluation_interval": duration(EVALUATION_INTERVAL),
        "group_eval_order": order,
        "tests": [s.as_dict(model, config) for s in scenarios(rules)],
    }


def render_tests(rules: ModelRules, config: Config) -> str:
    return dumps(test_file(rules, config), rules.model.source)
