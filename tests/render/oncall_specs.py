"""Three small specs, one per on-call urgency, for the Alertmanager routing tests.

Each is specs/fraud-detector.yaml with the name, tier and on-call changed as a
person would write them; the expectations of the tests that use them come from
these choices, not from the renderer.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

from controlplane.render.monitoring.yamlio import loads
from tests.conftest import SPECS

HIGH = "card-fraud"  # tier critical, urgency high, a Slack channel
EXPERIMENTAL = "churn-lab"  # tier experimental, urgency left to the tier (low), no Slack channel
DYNAMIC = "loan-default"  # tier standard, urgency dynamic, a Slack channel
TEAM = "risk-ml"


def write_oncall_specs(folder: Path) -> Path:
    folder.mkdir()
    shutil.copy(SPECS / "mlcp.yaml", folder / "mlcp.yaml")
    example = loads((SPECS / "fraud-detector.yaml").read_text())
    assert example["metadata"]["team"] == TEAM
    variants = {
        HIGH: ("critical", "high", "#risk-ml-oncall"),
        EXPERIMENTAL: ("experimental", None, None),
        DYNAMIC: ("standard", "dynamic", "#risk-ml-oncall"),
    }
    for name, (tier, urgency, slack) in variants.items():
        spec = copy.deepcopy(example)
        spec["metadata"]["name"] = name
        spec["metadata"]["tier"] = tier
        oncall = {"escalation_policy": "Risk ML"}
        if urgency:
            oncall["urgency"] = urgency
        if slack:
            oncall["slack"] = slack
        spec["oncall"] = oncall
        (folder / f"{name}.yaml").write_text(json.dumps(spec, indent=2))
    return folder
