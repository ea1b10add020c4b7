"""The plan of one model: its spec changes and what they mean, its files, resources and cost."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from controlplane.diagnostics import Diagnostic
from controlplane.model import Config, Model
from controlplane.plan.artifacts import alert_changes, file_diffs
from controlplane.plan.cost import cost_findings, estimate
from controlplane.plan.resources import resource_changes
from controlplane.plan.specdiff import spec_changes
from controlplane.plan.types import (
    Change,
    Cost,
    Finding,
    ModelPlan,
    ResourceChange,
    ServiceChange,
)
from controlplane.render import Artifact


@dataclass(frozen=True)
class Shared:
    """The resource and service diffs of the shared artifacts, by the model they belong to."""

    resources: dict[str, list[ResourceChange]]
    services: dict[str, list[ServiceChange]]

    def owned(self, name: str) -> bool:
        return name in self.resources or name in self.services


@dataclass(frozen=True)
class Version:
    """A model on one side: itself (None where it is absent), its files, its mlcp.yaml."""

    model: Model | None
    files: list[Artifact]
    config: Config


def plan_model(
    name: str,
    base: Version,
    head: Version,
    shared: Shared,
    warnings: Sequence[Diagnostic],
    gpu_declared: bool,
) -> ModelPlan:
    """What changes for one model; `warnings` are its head spec's, `gpu_declared` its task.gpu."""
    old, new, before, after = base.model, head.model, base.files, head.files
    head_config = head.config
    fields = spec_changes(old, new) if old and new else []
    # Each model's own preview (infra/models/<name>.json) is one of its files; the platform's
    # resources come from the shared files.
    resources = [*shared.resources.get(name, []), *resource_changes(before, after).get(name, [])]
    cost = _cost(old, new, base.config, head_config)
    findings = [Finding("risk", f"{f.path}: {f.meaning}") for f in fields if f.risky]
    findings += [
        Finding("risk", f"{r.type} {r.name} is replaced ({', '.join(r.changed)} changed)")
        for r in resources
        if r.risky
    ]
    if new is None:
        findings.append(Finding("risk", "model deleted: its endpoint, alerts and pages go away"))
    else:
        findings += cost_findings(new, head_config, estimate(new, head_config), gpu_declared)
        findings += [Finding("warning", f"{d.code}: {d.message}") for d in warnings]
    files = file_diffs(before, after)
    change: Change = "create" if old is None else "delete" if new is None else "update"
    services = shared.services.get(name, [])
    if change == "update" and not (fields or files or resources or services or cost.delta):
        change = "unchanged"
    return ModelPlan(
        name=name,
        source=_source(old, new),
        change=change,
        fields=tuple(fields),
        alerts=tuple(alert_changes(before, after)),
        files=tuple(files),
        resources=tuple(resources),
        services=tuple(services),
        cost=cost,
        findings=tuple(findings),
    )


def _cost(old: Model | None, new: Model | None, base: Config, head: Config) -> Cost:
    a = estimate(old, base) if old else None
    b = estimate(new, head) if new else None
    return Cost(
        before=a.monthly if a else 0.0,
        after=b.monthly if b else 0.0,
        ceiling_before=a.ceiling if a else 0.0,
        ceiling_after=b.ceiling if b else 0.0,
        items_before=tuple(a.items) if a else (),
        items_after=tuple(b.items) if b else (),
    )


def _source(old: Model | None, new: Model | None) -> str:
    either = new or old
    return either.source if either else ""
