"""Resource-level and service-level diffs of the infrastructure and on-call artifacts.

``infra/resources.json`` is the offline Pulumi preview: ``{"version": 1,
"resources": [{"model", "type", "name", "parent", "inputs", "replace_on"?}]}``.
A resource is known by its type and name; a change to an input listed in its
``replace_on`` replaces it (destroy and create), which the plan flags as a risk.

``pagerduty/services.json`` is the desired PagerDuty state: services known by
name, each with a ``model`` when it belongs to one.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from controlplane.infra.artifacts import MODELS, RESOURCES
from controlplane.plan.types import Action, ResourceChange, ServiceChange
from controlplane.render import Artifact
from controlplane.render.oncall import SERVICES

MODEL_RESOURCES = f"{MODELS}/"  # one preview per model, the same records as resources.json
SHARED = ""  # the key of what belongs to no model
# Immutable, auto-named resources that Pulumi replaces create-before-delete as the routine way
# to change them: a new endpoint configuration (or model) is how an endpoint's blue/green
# update begins. Their replacement is shown, never flagged as a risk.
ROUTINE_REPLACEMENT = frozenset(
    {
        "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
        "aws:sagemaker/model:Model",
    }
)


def _load(artifacts: Sequence[Artifact], path: str) -> Any:
    for artifact in artifacts:
        if artifact.path == path:
            return json.loads(artifact.content)
    return None


def resource_changes(
    before: Sequence[Artifact], after: Sequence[Artifact]
) -> dict[str, list[ResourceChange]]:
    """Per model (``SHARED`` for none): what the preview creates, updates, replaces, deletes."""
    old, new = _previewed(before), _previewed(after)
    out: dict[str, list[ResourceChange]] = defaultdict(list)
    for key in sorted(old.keys() | new.keys()):
        a, b = old.get(key), new.get(key)
        kind, name = key
        if a is None and b is not None:
            out[b.get("model") or SHARED].append(ResourceChange("create", kind, name))
        elif b is None and a is not None:
            out[a.get("model") or SHARED].append(ResourceChange("delete", kind, name))
        elif a is not None and b is not None and a != b:
            changed = _changed_keys(a.get("inputs", {}), b.get("inputs", {}))
            if a.get("parent") != b.get("parent"):
                changed.append("parent")
            replace = sorted(set(changed) & set(b.get("replace_on", [])))
            action: Action = "replace" if replace else "update"
            out[b.get("model") or SHARED].append(
                ResourceChange(
                    action,
                    kind,
                    name,
                    tuple(changed),
                    risky=bool(replace) and kind not in ROUTINE_REPLACEMENT,
                )
            )
    return dict(out)


def _previewed(artifacts: Sequence[Artifact]) -> dict[tuple[str, str], dict[str, Any]]:
    """Every previewed resource: resources.json when built, each model's file when planned."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for artifact in artifacts:
        if artifact.path == RESOURCES or artifact.path.startswith(MODEL_RESOURCES):
            found |= _resources(json.loads(artifact.content))
    return found


def _resources(document: Any) -> dict[tuple[str, str], dict[str, Any]]:
    if not isinstance(document, dict):
        return {}
    return {(r["type"], r["name"]): r for r in document.get("resources", [])}


def _changed_keys(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    return sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))


def service_changes(
    before: Sequence[Artifact], after: Sequence[Artifact]
) -> dict[str, list[ServiceChange]]:
    """Per model (``SHARED`` for none): PagerDuty services created, updated, deleted."""
    old, new = _services(_load(before, SERVICES)), _services(_load(after, SERVICES))
    out: dict[str, list[ServiceChange]] = defaultdict(list)
    for name in sorted(old.keys() | new.keys()):
        a, b = old.get(name), new.get(name)
        owner = str((b or a or {}).get("model") or SHARED)
        if a is None:
            out[owner].append(ServiceChange("create", name))
        elif b is None:
            out[owner].append(ServiceChange("delete", name))
        elif a != b:
            out[owner].append(ServiceChange("update", name, tuple(_changed_keys(a, b))))
    return dict(out)


def _services(document: Any) -> dict[str, dict[str, Any]]:
    items = document.get("services", []) if isinstance(document, dict) else document or []
    return {str(s["name"]): s for s in items if isinstance(s, dict) and "name" in s}
