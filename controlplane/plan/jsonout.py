"""`mlcp plan --format json`: the plan as data, stable, described by plan/schema.json.

Keys are sorted and lists are in the plan's own order (models by name, files by
path), so two runs on the same trees print the same bytes.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from controlplane.plan.summary import cost_totals, counts, risk_count
from controlplane.plan.types import PLAN_VERSION, ModelPlan, Plan

SCHEMA_PATH = Path(__file__).with_name("schema.json")


def plan_data(plan: Plan) -> dict[str, Any]:
    totals = cost_totals(plan)
    before, after = totals if totals is not None else (None, None)
    delta = round(totals[1] - totals[0], 2) if totals is not None else None
    data = dataclasses.asdict(plan)
    data["models"] = [_model(m) for m in plan.models]
    return {
        "version": PLAN_VERSION,
        "ok": plan.ok,
        "summary": {
            "changes": counts(plan),
            # null while a spec does not compile at head: its cost is unknown
            "cost": {"before": before, "after": after, "delta": delta},
            "risks": risk_count(plan),
        },
        **data,
    }


def _model(model: ModelPlan) -> dict[str, Any]:
    data = dataclasses.asdict(model)
    data["risky"] = model.risky
    if model.cost is not None:
        data["cost"]["delta"] = model.cost.delta
    return data


def dumps(plan: Plan) -> str:
    return json.dumps(plan_data(plan), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
