"""promote and rollback end to end: find the spec, plan the step, edit, commit."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from controlplane.compile import Compiled, edit_spec, find_model, load_config
from controlplane.errors import MlcpError
from controlplane.model import Model
from controlplane.rollout.emergency import Shift
from controlplane.rollout.errors import GitError
from controlplane.rollout.evidence import Divergence
from controlplane.rollout.gitops import Committed, commit_on_branch
from controlplane.rollout.steps import Evidence, Step, plan_promotion, plan_rollback
from controlplane.sources import Source, discover, read_source
from controlplane.units import format_timestamp
from controlplane.write import first_link


@dataclass(frozen=True)
class Outcome:
    step: Step
    committed: Committed
    divergence: Divergence | None = None
    shift: Shift | None = None


def _apply(specs: Path, compiled: Compiled, step: Step, branch: str) -> Committed:
    """Edit the spec as the step says, check it compiles, commit it on ``branch``."""
    path = Path(compiled.shown)  # the file as diagnostics name it: openable from here
    config_source = _config_source(specs)
    source = Source(compiled.model.source, path.read_text(encoding="utf-8"), compiled.shown)
    text, _ = edit_spec(source, step.edits, config_source)
    return commit_on_branch(path, text, branch, step.message)


def _editable(specs: Path, compiled: Compiled) -> Compiled:
    """The spec, refused when it or a folder above it (up to the project root) is a link:
    the edit would land in the file the link points at, wherever that is."""
    root = Path(os.path.abspath(specs)).parent  # the names of compiled specs start here
    link = first_link(root, compiled.model.source)
    if link is not None:
        shown = link.relative_to(root).as_posix()
        raise GitError(f"refusing to edit {compiled.model.source}: {shown} is a symbolic link")
    return compiled


def promote(
    specs: Path, name: str, *, to: str | None, now: float, evidence: Evidence | None
) -> Outcome:
    """Move ``name`` one step (or to ``to``) when its gates allow, as a commit on a new branch."""
    compiled = _editable(specs, find_model(specs, name))
    step, measured = plan_promotion(compiled, to=to, now=now, evidence=evidence)
    committed = _apply(specs, compiled, step, f"promote/{name}-{step.after}")
    return Outcome(step, committed, measured)


def rollback(
    specs: Path, name: str, *, now: float, shift: Callable[[Model], Shift] | None = None
) -> Outcome:
    """Set ``name`` back to stable, as a commit on a new branch.

    With ``shift`` (an emergency), the endpoint's traffic moves to stable first and
    the commit says how long that took, so git and the cloud agree again.
    """
    compiled = _editable(specs, find_model(specs, name))
    plan_rollback(compiled, now=now)  # refuse a stable model before touching the endpoint
    moved = shift(compiled.model) if shift else None
    note = _emergency_note(moved, now) if moved else ""
    step = plan_rollback(compiled, now=now, note=note)
    stamp = format_timestamp(now).replace(":", "").replace("-", "")
    try:
        committed = _apply(specs, compiled, step, f"rollback/{name}-{stamp}")
    except MlcpError as error:
        if moved is None:
            raise
        raise type(error)(
            f"all traffic of endpoint {moved.endpoint} is on stable, but the commit failed: {error}"
        ) from None
    return Outcome(step, committed, shift=moved)


def _emergency_note(moved: Shift, now: float) -> str:
    before = ", ".join(
        f"{name} {weight:g}" for name, weight in sorted(moved.weights_before.items())
    )
    return (
        f"Emergency: all traffic of endpoint {moved.endpoint} was moved to stable directly"
        f" (UpdateEndpointWeightsAndCapacities) at {format_timestamp(now)}; the endpoint"
        f" reported it {moved.seconds:.1f}s later. Weights before: {before}."
    )


def spec_region(specs: Path) -> str:
    """The AWS region mlcp.yaml names (its default when there is none)."""
    return load_config(_config_source(specs))[0].aws.region


def _config_source(specs: Path) -> Source | None:
    """The mlcp.yaml that governs `specs` (a folder, or a spec file beside it), as the
    compiler finds it."""
    tree = discover([specs])
    if tree.config is None:
        return None
    read = read_source(tree, tree.config)
    return read if isinstance(read, Source) else None
