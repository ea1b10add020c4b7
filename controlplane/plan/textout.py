"""`mlcp plan` in a terminal: one block per model, the diffs of its files last."""

from __future__ import annotations

from controlplane.plan.summary import (
    SYMBOL,
    cost_rows,
    cost_totals,
    headline,
    money,
    signed,
    uncosted,
    unknown_cost,
)
from controlplane.plan.types import FileDiff, ModelPlan, Plan


def render_text(plan: Plan) -> str:
    lines = [
        f"Plan against {plan.against.replace('`', '')}: {headline(plan)}",
        f"Monthly cost of the changed models: {_total(plan)}",
    ]
    if plan.head_diagnostics:
        lines[1:] = ["", *(line for d in plan.head_diagnostics for line in d.splitlines())]
    if plan.generated:
        lines.append("\nGenerated files that are not what the specs render:")
        lines += [f"  {g.severity}: {g.problem}: {g.path}" for g in plan.generated]
    if plan.base_diagnostics:
        lines.append(f"\nAt {plan.base}, these specs did not compile:")
        lines += [f"  {line}" for d in plan.base_diagnostics for line in d.splitlines()]
    for model in plan.models:
        lines += ["", *_model(model)]
    if plan.shared_files or plan.shared_resources or plan.shared_services:
        lines += ["", "Shared by every model:"]
        lines += [f"  {r.action} {r.type} {r.name}" for r in plan.shared_resources]
        lines += [f"  {s.action} PagerDuty service {s.name}" for s in plan.shared_services]
        lines += _files(plan.shared_files)
    return "\n".join(lines) + "\n"


def _total(plan: Plan) -> str:
    totals = cost_totals(plan)
    if totals is None:
        return unknown_cost(uncosted(plan))
    before, after = totals
    return f"{money(before)} → {money(after)} ({signed(after - before)})"


def _model(model: ModelPlan) -> list[str]:
    lines = [f"{SYMBOL[model.change]} {model.name} ({model.source}): {model.change}"]
    lines += [f"    {line}" for d in model.diagnostics for line in d.splitlines()]
    for change in model.fields:
        mark = "  [risk]" if change.risky else ""
        lines.append(
            f"    {change.path}: {change.before or '(none)'} → {change.after or '(none)'}"
            f"  {change.meaning}{mark}"
        )
    if model.alerts:
        moved = ", ".join(f"{a.alert} {a.action}" + (f" ×{a.count}" if a.count > 1 else "")
                          for a in model.alerts)  # fmt: skip
        lines.append(f"  alerts: {moved}")
    for r in model.resources:
        detail = f" ({', '.join(r.changed)})" if r.changed else ""
        lines.append(
            f"  resource {r.action}: {r.type} {r.name}{detail}" + ("  [risk]" if r.risky else "")
        )
    for s in model.services:
        lines.append(f"  PagerDuty service {s.action}: {s.name}")
    if model.cost is not None:
        c = model.cost
        lines.append(
            f"  cost: {money(c.before)} → {money(c.after)}/month ({signed(c.after - c.before)})"
            + (f"; at most {money(c.ceiling_after)}" if model.change != "delete" else "")
        )
        lines += [
            f"    {item}: {money(old) if old is not None else '—'} → "
            f"{money(new) if new is not None else '—'}"
            for item, old, new in cost_rows(c)
        ]
    lines += [f"  {f.severity}: {f.message}" for f in model.findings]
    lines += _files(model.files)
    return lines


def _files(files: tuple[FileDiff, ...]) -> list[str]:
    lines: list[str] = []
    for diff in files:
        lines.append(f"  {diff.path}: {diff.status} (+{diff.added} -{diff.removed})")
        lines += [f"    {line}" for line in diff.diff.splitlines()]
    return lines
