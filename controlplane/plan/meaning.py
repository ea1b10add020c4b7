"""What a changed spec value means to a reviewer, and whether it is a risk.

A threshold moves in a direction: each field's annotation in
`controlplane.model` says which way makes an alert fire later (looser) or
sooner (tighter). Paths here are spec paths, as `specdiff` names them. Rollout states move along
`controlplane.domain`'s state machine: one step forward is a promotion, back
to stable a rollback, a jump skips a stage.
"""

from __future__ import annotations

import fnmatch
from typing import Any, Literal

from controlplane.domain import candidate_weight, rollout_state
from controlplane.model import Model

# Whole parts whose removal leaves a model less protected.
PROTECTIONS = {
    "fallback": "fallback removed: an outage of the model has nothing to fall back on",
    "retraining": "retraining removed: the model is no longer refreshed and will go stale",
    "rollout.shadow": "shadow phase removed: a candidate reaches traffic without shadow evidence",
    "quality.metrics[*]": "quality bar removed: its alert goes away",
    "quality.proxies[*]": "proxy metric removed: its alert goes away",
}

Meaning = tuple[str, bool]  # what it means, and whether it is a risk


def _matches(path: str, patterns: tuple[str, ...] | list[str]) -> bool:
    # fnmatch treats [..] as a character class: escape the brackets of named items.
    escaped = path.replace("[", "<").replace("]", ">")
    return any(
        fnmatch.fnmatchcase(escaped, p.replace("[", "<").replace("]", ">")) for p in patterns
    )


def meaning_of(
    path: str, old: Any, new: Any, after: Model, looser: Literal["up", "down"] | None = None
) -> Meaning:
    """What changing the value at spec path `path` means; `looser` is the field's direction
    (`controlplane.model.Meaning.looser`)."""
    if path == "rollout.state":
        return _state_change(str(old), str(new), after)
    if new is None and _matches(path, list(PROTECTIONS)):
        key = next(p for p in PROTECTIONS if _matches(path, [p]))
        return PROTECTIONS[key], True
    if looser is not None:
        return _threshold(old, new, 1 if looser == "up" else -1)
    return _other(path, old, new)


def _threshold(old: Any, new: Any, looser_when: int) -> Meaning:
    if new is None:
        return "threshold removed: its alert goes away", True
    if old is None:
        return "threshold added: a new alert", False
    if (new - old) * looser_when > 0:
        return "loosened: alerts fire later, on larger deviations", True
    return "tightened: alerts fire sooner, on smaller deviations", False


def _state_change(old: str, new: str, after: Model) -> Meaning:
    machine = after.rollout.states
    try:
        forward = machine.next(old)
        order = machine.states
        back = order.index(new) < order.index(old)
    except ValueError:
        return f"rollout state {old} → {new}", False
    weight = candidate_weight(new)
    if new == forward and rollout_state(new).at_rest:
        return "promotion completed: the candidate becomes the serving artifact", False
    if new == forward:
        return f"promoted {old} → {new}: the candidate takes {weight}% of traffic", False
    if rollout_state(new).at_rest:
        return f"rolled back {old} → stable: all traffic returns to the stable variant", False
    if back:
        return f"moved back {old} → {new}: the candidate takes {weight}% of traffic", False
    skipped = ", ".join(order[order.index(old) + 1 : order.index(new)])
    return f"promoted {old} → {new}, skipping {skipped}", True


def _other(path: str, old: Any, new: Any) -> Meaning:
    if path == "retraining.cadence":
        return f"retraining cadence changed from {old} to {new}", False
    if path == "oncall.urgency" and new == "low" and old == "high":
        return "pages become low urgency: no one is woken for this model", True
    if path == "rollout.rollback_on" and set(old or ()) - set(new or ()):
        gone = ", ".join(sorted(set(old or ()) - set(new or ())))
        return f"automatic rollback no longer watches {gone}", True
    if path == "serving.instances.min" and new < old:
        return "fewer instances at rest: less headroom for load and failures", False
    if path == "serving.cache":
        return ("cache added in front of the endpoint" if old is None
                else "cache removed: every request reaches the model" if new is None
                else "cache changed"), False  # fmt: skip
    if path == "rollout.candidate":
        return ("candidate removed" if new is None
                else f"candidate {new.version} staged for rollout"), False  # fmt: skip
    if path == "serving.instance_type":
        return f"the endpoint moves to {new} instances (a new endpoint configuration)", False
    if path == "serving.artifact.version":
        return f"serving version {old} → {new}", False
    if path == "cost.monthly_budget":
        return "budget changed", False
    if old is None:
        return "added", False
    if new is None:
        return "removed", False
    return "changed", False
