"""`mlcp plan --format markdown`: the pull-request comment.

The summary table comes first and is never cut. Each model follows in a
`<details>` section; when the comment would pass ``LIMIT`` characters (GitHub
refuses comments over 65,536), a model's section loses its file diffs, and
the models that still do not fit are named in one line that says how to see
them. The hidden ``MARKER`` lets CI find and update its one comment.

Whatever a template prints is escaped as text (`controlplane.plan.inert`),
unless a filter made it code, HTML-escaped text, or marks it as mlcp's own
figures (`safe`: counts, money, the change symbols), so spec text stays inert.
"""

from __future__ import annotations

import jinja2
from markupsafe import Markup

from controlplane.plan import inert, summary
from controlplane.plan.inert import MARKER
from controlplane.plan.types import ModelPlan, Plan
from controlplane.prose import markdown_environment

__all__ = ["LIMIT", "MARKER", "render_markdown"]

LIMIT = 60_000


def _environment() -> jinja2.Environment:
    env = markdown_environment(finalize=inert.finalize)
    env.filters.update(
        cell=inert.text,
        code=inert.code,
        cell_code=inert.cell_code,
        fenced=inert.fenced,
        html=inert.html,
        money=lambda v: Markup(summary.money(v)),
        signed=lambda v: Markup(summary.signed(v)),
    )
    env.globals.update(
        summary=summary, symbol=summary.SYMBOL, cost_rows=summary.cost_rows, marker=Markup(MARKER)
    )
    return env


def render_markdown(plan: Plan, limit: int = LIMIT) -> str:
    env = _environment()
    head = env.get_template("plan-summary.md.j2").render(plan=plan)
    section = env.get_template("plan-model.md.j2")
    shared = env.get_template("plan-shared.md.j2").render(plan=plan)
    parts, used, left_out = [head], len(head), list[ModelPlan]()
    room = limit - _reserve(plan)
    for model in plan.models:
        text = section.render(model=model, diffs=True)
        if used + len(text) > room:
            text = section.render(model=model, diffs=False)
        if left_out or used + len(text) > room:
            left_out.append(model)
            continue
        parts.append(text)
        used += len(text)
    if left_out:
        parts.append(_left_out(left_out, plan))
    elif used + len(shared) <= limit:
        parts.append(shared)
    elif shared:
        parts.append(
            "\nThe files shared by every model changed too; their diff is too long here.\n"
        )
    return "".join(parts)


def _reserve(plan: Plan) -> int:
    """Room kept for the line that names the models left out."""
    return 200 + sum(len(m.name) + 4 for m in plan.models)


def _left_out(models: list[ModelPlan], plan: Plan) -> str:
    names = ", ".join(inert.code(m.name) for m in models)
    command = inert.code(f"mlcp plan{f' --base {plan.base}' if plan.base else ''}")
    return (
        f"\n{len(models)} more models do not fit in this comment: {names}. "
        f"Run {command} to see them.\n"
    )
