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
    before, after = cost_totals(plan)
    data = dataclasses.asdict(plan)
    data["models"] = [_model(m) for m in plan.models]
    return {
        "version": PLAN_VERSION,
        "ok": plan.ok,
        "summary": {
            "changes": counts(plan),
            "cost": {"before": before, "after": after, "delta": round(after - before, 2)},
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
