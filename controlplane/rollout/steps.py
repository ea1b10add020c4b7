"""Which state a rollout moves to, whether it may, and the spec edits that say so.

Pure: the spec, the moment and the evidence come in; a `Step` (edits and a
commit message) comes out, or `Refused` says which gate held it back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from controlplane import domain
from controlplane.compile import Compiled
from controlplane.model import Model
from controlplane.rollout.errors import Refused
from controlplane.rollout.evidence import Divergence, elapsed
from controlplane.rollout.wording import percent, promotion_message, rollback_message
from controlplane.spec.edit import Delete, Edit, Replace, Set
from controlplane.units import format_timestamp

Evidence = Callable[[Model, float], Divergence]  # (model, seconds in shadow) -> the figure


@dataclass(frozen=True)
class Step:
    model: str
    before: str
    after: str
    edits: tuple[Edit, ...]
    message: str


def target_state(model: Model, to: str | None) -> str:
    """The state a promotion moves to: the next one, or ``to`` when it lies ahead."""
    rollout, current = model.rollout, model.rollout.state
    states = rollout.states.states
    if to is None:
        return rollout.states.next(current)
    if to not in states:
        raise Refused(f"{to!r} is not a state of {model.name}: {', '.join(states)}")
    ahead = states[states.index(current) + 1 :] + (
        (domain.STABLE,) if not rollout.record.at_rest else ()
    )
    if to == current or to not in ahead:
        raise Refused(
            f"{model.name} is in {current}; promote moves forward ({' → '.join(ahead)}),"
            f" `mlcp rollback {model.name}` moves back"
        )
    for skipped in map(domain.rollout_state, ahead[: ahead.index(to)]):
        if skipped.exit_evidence:
            raise Refused(
                f"{model.name} cannot skip {skipped.name}: its {skipped.exit_evidence}"
                " is measured there"
            )
    return to


def _check_time(model: Model, now: float) -> float:
    """Seconds spent in the current state; refused when the wait is not over."""
    state, since = model.rollout.state, model.rollout.since
    needed, called = model.rollout.wait(model.rollout.record)
    if not needed:
        return now - since if since is not None else 0.0
    if since is None:
        raise Refused(
            f"the moment {model.name} entered {state} is not recorded (rollout.since), so its"
            f" {called} of {elapsed(needed)} cannot be checked: set rollout.since"
        )
    spent = now - since
    if spent < 0:
        raise Refused(f"rollout.since of {model.name} ({format_timestamp(since)}) is in the future")
    if spent < needed:
        raise Refused(
            f"{model.name} entered {state} at {format_timestamp(since)}, {elapsed(spent)} ago:"
            f" its {called} of {elapsed(needed)} ends at {format_timestamp(since + needed)}"
        )
    return spent


def _check_divergence(model: Model, evidence: Divergence) -> None:
    bound = model.rollout.shadow.max_divergence if model.rollout.shadow else 0.0
    if evidence.value > bound:
        raise Refused(
            f"{model.name} stays in shadow: the {evidence.measure} is {percent(evidence.value)}"
            f" over {evidence.comparisons} requests, above rollout.shadow.max_divergence"
            f" {percent(bound)} ({evidence.source})"
        )


def plan_promotion(
    compiled: Compiled, *, to: str | None, now: float, evidence: Evidence | None
) -> tuple[Step, Divergence | None]:
    model = compiled.model
    current, after = model.rollout.state, target_state(model, to)
    if model.rollout.candidate is None:
        raise Refused(
            f"{model.name} has no candidate to promote: declare rollout.candidate first"
            " (the retraining pipeline proposes one)"
        )
    spent = _check_time(model, now)
    measured = None
    if model.rollout.record.exit_evidence == "divergence":
        if evidence is None:
            raise Refused(
                f"leaving shadow needs the measured divergence of {model.name}:"
                " pass --prometheus URL or --report FILE"
            )
        measured = evidence(model, spent)
        _check_divergence(model, measured)
    edits: list[Edit] = [Set("rollout.state", after), _since(now)]
    if domain.rollout_state(after).at_rest:
        candidate: dict[str, Any] = compiled.layered.doc.data["rollout"]["candidate"]
        edits = [Replace("serving.artifact", candidate), Delete("rollout.candidate"), *edits]
    message = promotion_message(model, after, now, spent, measured)
    return Step(model.name, current, after, tuple(edits), message), measured


def plan_rollback(compiled: Compiled, *, now: float, note: str = "") -> Step:
    model = compiled.model
    if model.rollout.record.at_rest:
        raise Refused(f"{model.name} is already stable: there is nothing to roll back")
    edits = (Set("rollout.state", domain.STABLE), _since(now))
    message = rollback_message(model, now, note)
    return Step(model.name, model.rollout.state, domain.STABLE, edits, message)


def _since(now: float) -> Set:
    return Set("rollout.since", datetime.fromtimestamp(now, UTC), before=None)
