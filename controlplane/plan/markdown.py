"""`mlcp plan --format markdown`: the pull-request comment.

The summary table comes first and is never cut. Each model follows in a
`<details>` section, its generated files in the order a reviewer reads them
(`controlplane.plan.trim`). When the comment would pass ``LIMIT`` characters
(GitHub refuses longer comments), diffs are left out one file at a time, the
generated tests first and the rules last, and each section names what it left
out and how to see it; models that do not fit even without their diffs are
named in one line that says how to see them. The hidden ``MARKER`` lets CI find and update its one comment.

Whatever a template prints is escaped as text (`controlplane.plan.inert`),
unless a filter made it code, HTML-escaped text, or marks it as mlcp's own
figures (`safe`: counts, money, the change symbols), so spec text stays inert.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import jinja2
from markupsafe import Markup

from controlplane.plan import inert, summary, trim
from controlplane.plan.inert import MARKER
from controlplane.plan.types import FileDiff, ModelPlan, Plan
from controlplane.prose import markdown_environment

__all__ = ["LIMIT", "MARKER", "render_markdown"]

LIMIT = 65_536  # GitHub's limit on a comment's length, in characters


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
    sections = _sections(env, plan)
    room = limit - len(head) - _reserve(plan)
    kept: list[_Section] = []
    used = 0
    for section in sections:  # the models in order, then the shared files
        text = section.render(frozenset())
        if used + len(text) > room:
            break
        kept.append(section)
        used += len(text)
    left_out = [m for m in plan.models if m.name not in {s.name for s in kept}]
    candidates = [
        trim.Candidate(i, f, _cost(f)) for i, s in enumerate(kept) for f in s.files if f.diff
    ]
    chosen = trim.choose(candidates, room - used)
    tail = _left_out(left_out, plan) if left_out else ""
    if not left_out and len(kept) < len(sections):
        tail = "\nThe files shared by every model changed too; their diff is too long here.\n"
    while True:
        shown: dict[int, set[str]] = {i: set() for i in range(len(kept))}
        for c in chosen:
            shown[c.section].add(c.file.path)
        parts = [head, *(s.render(frozenset(shown[i])) for i, s in enumerate(kept)), tail]
        text = "".join(parts)
        if len(text) <= limit or not chosen:
            return text
        chosen.remove(trim.least_read(chosen))  # the cost was an estimate: give one up


class _Section:
    """A model's section (``name``), or the shared files' (None), rendered with some diffs."""

    def __init__(
        self, name: str | None, files: tuple[FileDiff, ...], render: Callable[..., str], base: str
    ) -> None:
        self.name = name
        self.files = trim.in_reading_order(files)
        self._render = render
        self._base = base

    def render(self, shown: frozenset[str]) -> str:
        omitted = [f for f in self.files if f.diff and f.path not in shown]
        return self._render(files=self.files, shown=shown, omitted=_omitted(omitted, self._base))


def _sections(env: jinja2.Environment, plan: Plan) -> list[_Section]:
    model = env.get_template("plan-model.md.j2")
    shared = env.get_template("plan-shared.md.j2")
    base = f" --base {plan.base}" if plan.base else ""
    sections = [
        _Section(m.name, m.files, functools.partial(model.render, model=m), base)
        for m in plan.models
    ]
    if plan.shared_files or plan.shared_resources or plan.shared_services:
        render = functools.partial(shared.render, plan=plan)
        sections.append(_Section(None, plan.shared_files, render, base))
    return sections


def _cost(diff: FileDiff) -> int:
    """About what showing a diff adds to its one-line entry: its fenced text and a summary."""
    return len(diff.diff) + 2 * len(diff.path) + 120


def _omitted(files: list[FileDiff], base: str) -> Markup:
    if not files:
        return Markup("")
    names = ", ".join(inert.code(f.path) for f in files)
    command = inert.code(f"mlcp plan{base} --format text")
    return Markup(
        f"Left out for length: {len(files)} file{'s' if len(files) > 1 else ''}, "
        f"{trim.size(files)}: {names}. Run {command} (or `git diff` on the build) "
        f"to see {'them' if len(files) > 1 else 'it'}."
    )


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
