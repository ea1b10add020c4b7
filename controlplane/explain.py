"""`mlcp explain`: every value a model ends up with, and where it came from."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from controlplane.compile import Compiled
from controlplane.spec.load import Document, KeyPath
from controlplane.spec.types import Duration, _Unit


@dataclass(frozen=True)
class Entry:
    path: str
    value: str
    origin: str  # "spec", "tier default (critical)", "built-in default", "derived"
    where: str  # file:line:col, or ""


def _leaves(value: Any, path: KeyPath) -> Iterator[tuple[KeyPath, Any]]:
    if isinstance(value, BaseModel):
        for name, info in type(value).model_fields.items():
            yield from _leaves(getattr(value, name), (*path, info.alias or name))
    elif isinstance(value, dict) and value:
        for key in sorted(value):
            yield from _leaves(value[key], (*path, key))
    else:
        yield path, value


def _show(value: Any) -> str:
    if isinstance(value, _Unit):
        unit = "s" if isinstance(value, Duration) else ""
        return f"{value.text} = {value.value:g}{unit}"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, BaseModel):
        return "{" + ", ".join(f"{_dotted(k)}: {_show(v)}" for k, v in _leaves(value, ())) + "}"
    if value is None:
        return "-"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _dotted(path: KeyPath) -> str:
    return ".".join(str(p) for p in path)


def _where(doc: Document, path: KeyPath) -> str:
    loc = doc.values.get(path) or doc.keys.get(path)
    return f"{loc.file}:{loc.line}:{loc.col}" if loc else ""


def explain(compiled: Compiled) -> list[Entry]:
    layered, tier = compiled.layered, compiled.model.tier
    entries = []
    for path, value in _leaves(compiled.spec, ()):
        origin = layered.origin_of(path)
        label = {"spec": "spec", "tier": f"tier default ({tier})"}.get(origin or "", "")
        if not label:
            label = "built-in default"
            if path == ("oncall", "escalation_policy") and value is None:
                value, label = compiled.model.oncall.escalation_policy, "repo default (mlcp.yaml)"
            if path == ("oncall", "urgency") and value is None:
                value, label = compiled.model.oncall.urgency, f"built-in default ({tier} tier)"
            if path == ("rollout", "rollback_on") and value is None:
                value, label = list(compiled.model.rollout.rollback_on), "derived"
        where = _where(layered.doc, path) if origin else ""
        entries.append(Entry(_dotted(path), _show(value), label, where))
    model = compiled.model
    entries.append(Entry("serving.gpu", str(model.serving.gpu).lower(), "derived", ""))
    if model.serving.cron:
        entries.append(Entry("serving.cron", model.serving.cron, "derived", ""))
    if model.retraining:
        entries.append(Entry("retraining.schedule", model.retraining.schedule, "derived", ""))
    next_state = model.rollout.states.next(model.rollout.state)
    entries.append(Entry("rollout.next_state", next_state, "derived", ""))
    return entries


def format_entries(entries: list[Entry]) -> str:
    width = max(len(e.path) for e in entries)
    value_width = min(max(len(e.value) for e in entries), 48)
    lines = []
    for e in entries:
        origin = f"{e.origin}  {e.where}".rstrip()
        lines.append(f"{e.path:<{width}}  {e.value:<{value_width}}  {origin}")
    return "\n".join(lines)
