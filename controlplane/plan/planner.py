"""`mlcp plan`: what merging the working tree onto a base revision would change.

Both sides render with the build's own renderers (`controlplane.build`'s lists,
read when a plan is made), so a renderer added there shows in the plan by itself. A model equal on both sides
under the same mlcp.yaml renders the same files (renderers are pure), so only
the models that changed are rendered, per model; the files made from every
model together are rendered for both sides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from controlplane import build
from controlplane.diagnostics import Diagnostic, format_text
from controlplane.errors import UsageError
from controlplane.model import Config, Model
from controlplane.perf import no_cyclic_gc
from controlplane.plan.artifacts import file_diffs
from controlplane.plan.generated import generated_files
from controlplane.plan.modelplan import Shared, Version, plan_model
from controlplane.plan.resources import SHARED, resource_changes, service_changes
from controlplane.plan.sides import Side, read_base, read_head
from controlplane.plan.types import Finding, ModelPlan, Plan
from controlplane.render import Artifact


def make_plan(specs: Path, base: str | None) -> Plan:
    """The plan of the specs under ``specs`` (the working tree) against ``base`` (or nothing)."""
    if not specs.is_dir():
        raise UsageError(f"{specs} is not a folder: `mlcp plan` reads a specs folder")
    with no_cyclic_gc():
        head, root = read_head(specs)
        before = read_base(specs, root, base, head)
        plan = _plan(before, head, base)
    if head.compiled is None or not head.compiled.ok:
        return plan  # no build to compare: the specs do not compile
    return replace(plan, generated=generated_files(head.compiled, base))


def _plan(base: Side, head: Side, label: str | None) -> Plan:
    base_problems = tuple(_line(d) for path in sorted(base.failed) for d in base.failed[path])
    if head.general:  # mlcp.yaml itself, or no specs: nothing at head can be trusted
        general = tuple(_line(d) for d in head.general)
        return Plan(label, (), base_diagnostics=base_problems, head_diagnostics=general)
    broken = _broken_at_head(base, head)
    # A spec broken at head keeps its base model in the shared files: it is not a deletion.
    head_models = {**{n: base.models[n] for n in broken if n in base.models}, **head.models}
    before_shared = _shared(list(base.models.values()), base.config) if base.models else []
    after_shared = _shared(list(head_models.values()), head.config)
    shared = Shared(
        resource_changes(before_shared, after_shared), service_changes(before_shared, after_shared)
    )
    plans, unchanged = _models(base, head, broken, shared, label)
    return Plan(
        base=label,
        models=tuple(plans),
        unchanged=tuple(unchanged),
        shared_files=tuple(file_diffs(before_shared, after_shared)),
        shared_resources=tuple(shared.resources.get(SHARED, ())),
        shared_services=tuple(shared.services.get(SHARED, ())),
        base_diagnostics=base_problems,
    )


def _models(
    base: Side, head: Side, broken: dict[str, str], shared: Shared, label: str | None
) -> tuple[list[ModelPlan], list[str]]:
    """The plan of every model that changes or fails, and the names of those that do not."""
    same_config = base.config == head.config
    plans: list[ModelPlan] = []
    unchanged: list[str] = []
    for name in sorted(base.models.keys() | head.models.keys() | broken.keys()):
        old, new = base.models.get(name), head.models.get(name)
        if name in broken:
            plans.append(_broken(name, broken[name], head))
            continue
        same = old is not None and new is not None and same_config and old == new
        if same and not shared.owned(name):
            unchanged.append(name)
            continue
        plan = plan_model(
            name,
            Version(old, _files(old, base.config), base.config),
            Version(new, _files(new, head.config), head.config),
            shared,
            head.warnings.get(new.source, []) if new else [],
            head.gpu_declared(new) if new else True,
        )
        if old is None and plan.source in base.failed:
            note = Finding("note", f"this spec did not compile at {label}: nothing to compare")
            plan = replace(plan, findings=(*plan.findings, note))
        if plan.change == "unchanged":
            unchanged.append(name)
        else:
            plans.append(plan)
    return plans, unchanged


def _broken_at_head(base: Side, head: Side) -> dict[str, str]:
    """Model name (from the base, else the file's stem) -> spec path, for specs failing at head."""
    named: dict[str, str] = {}
    for path in sorted(head.failed):
        name = base.owner_of(path) or Path(path).stem
        named[name] = path
    return named


def _broken(name: str, path: str, head: Side) -> ModelPlan:
    return ModelPlan(
        name=name,
        source=path,
        change="error",
        diagnostics=tuple(_line(d) for d in head.failed[path]),
    )


def _files(model: Model | None, config: Config) -> list[Artifact]:
    if model is None:
        return []
    return [a for renderer in build.PER_MODEL for a in renderer(model, config)]


def _shared(models: Sequence[Model], config: Config) -> list[Artifact]:
    ordered = sorted(models, key=lambda m: m.name)
    return [a for renderer in build.SHARED_RENDERERS for a in renderer(ordered, config)]


def _line(diagnostic: Diagnostic) -> str:
    """A diagnostic as `mlcp validate` prints it (its hint on the lines after)."""
    return format_text([diagnostic])
