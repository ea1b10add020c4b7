"""On-call runbooks: `runbooks/<model>.md`, one per model, from the same alert
declarations and rules as the monitoring files.

Markdown is prose, so it is a Jinja2 template (`templates/runbook.md.j2`);
every value it prints is escaped for Markdown unless a filter of
`controlplane.render.runbook.markdown` made it safe, so no text from a spec
can change the page's structure.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

import jinja2

from controlplane import __version__, contract, domain
from controlplane.model import Config, Model
from controlplane.prose import markdown_environment
from controlplane.render import Artifact
from controlplane.render.monitoring.alertmanager import service
from controlplane.render.runbook import markdown
from controlplane.render.runbook.bars import duration, percent
from controlplane.render.runbook.sections import (
    PostmortemFacts,
    alert_sections,
    broken_rules,
    sla_rows,
)

RUNBOOKS = "runbooks"


@functools.cache
def environment() -> jinja2.Environment:
    env = markdown_environment(finalize=markdown.finalize)
    env.filters.update(
        text=markdown.text,
        code=markdown.code,
        cell_code=markdown.cell_code,
        fenced=markdown.fenced,
        comment=markdown.comment,
        duration=duration,
        percent=percent,
        anchor=contract.runbook_anchor,
    )
    return env


def render_text(template: str, values: Mapping[str, object]) -> str:
    """A Markdown template filled in: the runbook, or the postmortem of `mlcp postmortem`."""
    return environment().get_template(template).render(values)


def runbook_values(model: Model, config: Config) -> dict[str, object]:
    sections = alert_sections(model)
    rollout = model.rollout
    return {
        "version": __version__,
        "model": model,
        "service": service(model, config),
        "sla": sla_rows(model, sections),
        "sections": sections,
        "broken": broken_rules(sections),
        "states": rollout.states.states,
        "next_state": rollout.states.next(rollout.state),
        "stable": domain.STABLE,
        "volume_drop": contract.ALERT_VOLUME_DROP,
        "pm": PostmortemFacts(),
    }


def render_model(model: Model, config: Config) -> list[Artifact]:
    text = render_text("runbook.md.j2", runbook_values(model, config))
    return [Artifact(f"{RUNBOOKS}/{model.name}.md", text, model.name)]


def render(models: Sequence[Model], config: Config) -> list[Artifact]:
    return [a for m in sorted(models, key=lambda m: m.name) for a in render_model(m, config)]
