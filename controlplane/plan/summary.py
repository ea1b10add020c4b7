"""Figures every output format states the same way: counts, money, signs."""

from __future__ import annotations

from collections import Counter

from controlplane.plan.types import Cost, ModelPlan, Plan

CHANGES = ("create", "update", "delete", "error")
SYMBOL = {"create": "+", "update": "~", "delete": "-", "error": "!", "unchanged": " "}


def counts(plan: Plan) -> dict[str, int]:
    found: Counter[str] = Counter(m.change for m in plan.models)
    return {**{c: found[c] for c in CHANGES}, "unchanged": len(plan.unchanged)}


def headline(plan: Plan) -> str:
    if plan.head_diagnostics:
        return "nothing to plan, the specs do not compile"
    n = counts(plan)
    parts = [
        f"{n['create']} to create",
        f"{n['update']} to update",
        f"{n['delete']} to delete",
    ]
    if n["error"]:
        parts.append(f"{n['error']} failing to compile")
    return f"{', '.join(parts)}; {n['unchanged']} unchanged"


def money(value: float) -> str:
    return f"${value:,.2f}"


def signed(value: float) -> str:
    if round(value, 2) == 0:
        return "$0.00"
    return f"{'+' if value > 0 else '−'}${abs(value):,.2f}"


def cost_totals(plan: Plan) -> tuple[float, float] | None:
    """Before and after, for the changed models; None while a spec does not compile at head
    (what it costs then is unknown, not $0.00)."""
    if uncosted(plan):
        return None
    before = sum((m.cost.before for m in plan.models if m.cost), 0.0)
    after = sum((m.cost.after for m in plan.models if m.cost), 0.0)
    return round(before, 2), round(after, 2)


def uncosted(plan: Plan) -> list[str]:
    """The changed models whose cost is unknown: their spec does not compile at head."""
    return [m.name for m in plan.models if m.change == "error"]


def unknown_cost(names: list[str], quote: str = "") -> str:
    """`unknown: the spec of fraud-detector does not compile` (names in `quote`s)."""
    shown = ", ".join(f"{quote}{n}{quote}" for n in names)
    if len(names) == 1:
        return f"unknown: the spec of {shown} does not compile"
    return f"unknown: the specs of {shown} do not compile"


def resources_moved(model: ModelPlan) -> str:
    """`+2 ~1 -0 ±1`: created, updated, deleted, replaced."""
    n = Counter(r.action for r in model.resources)
    if not model.resources:
        return "—"
    shown = [f"+{n['create']}", f"~{n['update']}", f"-{n['delete']}"]
    if n["replace"]:
        shown.append(f"±{n['replace']}")
    return " ".join(shown)


def alerts_moved(model: ModelPlan) -> int:
    return sum(a.count for a in model.alerts)


def cost_rows(cost: Cost) -> list[tuple[str, float | None, float | None]]:
    """What is paid for, before and after: one row per item, None where it is absent."""
    before = {i.item: i.monthly for i in cost.items_before}
    after = {i.item: i.monthly for i in cost.items_after}
    items = [*before, *(i for i in after if i not in before)]
    return [(item, before.get(item), after.get(item)) for item in items]


def risk_count(plan: Plan) -> int:
    """The risks of every model and of the generated files."""
    findings = [f for m in plan.models for f in m.findings] + list(plan.generated)
    return sum(1 for f in findings if f.severity == "risk")
