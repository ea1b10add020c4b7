"""The commit messages of promotions and rollbacks: what changed, on what evidence, what next."""

from __future__ import annotations

from controlplane import domain
from controlplane.model import Model
from controlplane.rollout.evidence import Divergence, elapsed
from controlplane.units import format_timestamp


def percent(fraction: float) -> str:
    return f"{fraction * 100:.2f}%"


def _describe(model: Model, state: str) -> str:
    rollout = model.rollout
    candidate = rollout.candidate.version if rollout.candidate else "the candidate"
    return domain.rollout_state(state).describe(candidate, model.serving.artifact.version)


def promotion_message(
    model: Model, after: str, now: float, spent: float, measured: Divergence | None
) -> str:
    rollout, before = model.rollout, model.rollout.state
    lines = [
        f"Promote {model.name}: {before} → {after}",
        "",
        _describe(model, after),
        "",
        "Evidence:",
    ]
    waited, called = rollout.wait(rollout.record)
    if rollout.since is not None and not rollout.record.at_rest:
        lines.append(f"- {before} since {format_timestamp(rollout.since)}, for {elapsed(spent)}")
    if called:
        lines.append(f"- the {called} is {elapsed(waited)}")
    else:
        lines.append(f"- the candidate {_version(model)} is declared")
    if measured is not None and rollout.shadow is not None:
        lines.append(
            f"- shadow divergence ({measured.measure}) {percent(measured.value)} over"
            f" {measured.comparisons} requests, within rollout.shadow.max_divergence"
            f" {percent(rollout.shadow.max_divergence)}; from {measured.source}"
        )
    lines += _profile_note(model) if domain.rollout_state(after).at_rest else []
    lines += ["", f"rollout.state: {after}, rollout.since: {format_timestamp(now)}"]
    return "\n".join(lines) + "\n"


def _profile_note(model: Model) -> list[str]:
    """Drift is judged against features.profile: a path naming the old version is worth a look."""
    old = model.serving.artifact.version
    if model.profile is None or f"/{old}/" not in model.profile:
        return []
    return [
        "",
        f"Note: features.profile ({model.profile}) still names {old}; drift is judged"
        f" against it until it names the profile {_version(model)} was trained with.",
    ]


def rollback_message(model: Model, now: float, note: str) -> str:
    state = model.rollout.state
    stable = model.serving.artifact.version
    lines = [
        f"Roll back {model.name}: {state} → stable",
        "",
        f"{stable} takes all production traffic again; the candidate {_version(model)}"
        " stays declared, to be fixed and promoted again, or replaced.",
    ]
    if note:
        lines += ["", note]
    lines += ["", f"rollout.state: stable, rollout.since: {format_timestamp(now)}"]
    return "\n".join(lines) + "\n"


def _version(model: Model) -> str:
    return model.rollout.candidate.version if model.rollout.candidate else "(none)"
