"""The change `propose` makes: the spec with the candidate in the rollout's first state
(shadow, or the first canary of a model without a shadow phase), and its evidence.

The spec is edited in round-trip mode (`controlplane.spec.edit`), so only the
candidate's lines and the state change, and the result must load and validate
with mlcp's own loader before anything is committed.
"""

from __future__ import annotations

import json
import re
from typing import Any

from controlplane.compile import edit_spec
from controlplane.domain import STABLE
from controlplane.model import Model
from controlplane.sources import Source
from controlplane.spec.edit import Set

SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")


def _key(version: str) -> tuple[int, ...]:
    match = SEMVER.fullmatch(version)
    return tuple(int(p) for p in match.groups()) if match else (-1,)


def next_version(model: Model, run_id: str) -> str:
    """One minor version past both the serving and any rolling-out candidate version."""
    versions = [model.serving.artifact.version]
    if model.rollout.candidate is not None:
        versions.append(model.rollout.candidate.version)
    latest = max(versions, key=_key)
    match = SEMVER.fullmatch(latest)
    if not match:
        return f"{latest}-retrained.{run_id}"
    major, minor, _ = (int(p) for p in match.groups())
    return f"{major}.{minor + 1}.0"


def candidate_artifact(model: Model, version: str) -> dict[str, str]:
    """The serving artifact with its version replaced wherever the image and data name it."""
    artifact = model.serving.artifact
    return {
        "version": version,
        "image": artifact.image.replace(artifact.version, version),
        "model_data": artifact.model_data.replace(artifact.version, version),
    }


def first_state(model: Model) -> str:
    """Where a new candidate starts: the state after stable in the model's rollout."""
    return model.rollout.states.next(STABLE)


def edited_spec(spec: Source, config: Source | None, candidate: dict[str, str], state: str) -> str:
    edits = [Set("rollout.candidate", candidate, before="state"), Set("rollout.state", state)]
    text, _ = edit_spec(spec, edits, config)
    return text


def _shown(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.4g}"


def commit_message(
    model: Model, candidate: dict[str, str], gate: dict[str, Any], validation: dict[str, Any]
) -> str:
    state = first_state(model)
    title = f"Retrain {model.name}: candidate {candidate['version']} into {state}"
    bars = "".join(
        f"\n  {b['metric']}: {_shown(b['value'])} ({b['side']} {b['limit']:g}"
        + (", broken)" if b.get("broken") else ")")
        + (" met" if b["passed"] else " missed")
        for b in gate.get("bars", [])
    )
    against = gate.get("production") is not None
    features = validation.get("features", {})
    worst = max(features.items(), key=lambda item: item[1]["psi"], default=None)
    drift = f", largest PSI {worst[1]['psi']:.4f} ({worst[0]})" if worst else ""
    return "\n".join(
        [
            title,
            "",
            f"The promotion gate passed: {gate['reason']}",
            "",
            ("Judged against production on the same held-out set." if against else "")
            + ("\n" if against and bars else "")
            + (f"Quality bars of the spec on the held-out set:{bars}" if bars else ""),
            "",
            f"Data validation: passed on {validation['rows_in_window']} rows in the window,"
            f" {validation['days_covered']:g} days{drift}; reference: {validation['reference']}.",
            "",
            f"Merging this pull request starts the rollout at {state}.",
            "",
            "gate.json:",
            json.dumps(gate, indent=2, sort_keys=True),
        ]
    )
