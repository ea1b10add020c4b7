"""promote and rollback end to end: find the spec, plan the step, edit, commit."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from controlplane.compile import Compiled, find_model
from controlplane.rollout.evidence import Divergence
from controlplane.rollout.gitops import Committed, commit_on_branch
from controlplane.rollout.steps import Evidence, Step, plan_promotion, plan_rollback
from controlplane.sources import CONFIG_NAME, Source, display
from controlplane.spec.edit import edit_spec
from controlplane.units import format_timestamp


@dataclass(frozen=True)
class Outcome:
    step: Step
    committed: Committed
    divergence: Divergence | None = None


def _apply(specs: Path, compiled: Compiled, step: Step, branch: str) -> Committed:
    """Edit the spec as the step says, check it compiles, commit it on ``branch``."""
    path = Path(compiled.shown)  # the file as diagnostics name it: openable from here
    config = specs / CONFIG_NAME
    config_source = Source(display(config), config.read_bytes()) if config.is_file() else None
    source = Source(compiled.model.source, path.read_text(encoding="utf-8"), compiled.shown)
    text, _ = edit_spec(source, step.edits, config_source)
    return commit_on_branch(path, text, branch, step.message)


def promote(
    specs: Path, name: str, *, to: str | None, now: float, evidence: Evidence | None
) -> Outcome:
    """Move ``name`` one step (or to ``to``) when its gates allow, as a commit on a new branch."""
    compiled = find_model(specs, name)
    step, measured = plan_promotion(compiled, to=to, now=now, evidence=evidence)
    committed = _apply(specs, compiled, step, f"promote/{name}-{step.after}")
    return Outcome(step, committed, measured)


def rollback(specs: Path, name: str, *, now: float, note: str = "") -> Outcome:
    """Set ``name`` back to stable, as a commit on a new branch; ``note`` joins the message."""
    compiled = find_model(specs, name)
    step = plan_rollback(compiled, now=now, note=note)
    stamp = format_timestamp(now).replace(":", "").replace("-", "")
    return Outcome(step, _apply(specs, compiled, step, f"rollback/{name}-{stamp}"))
