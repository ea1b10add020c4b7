"""Layering: spec value > tier default (mlcp.yaml) > built-in default, with provenance."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from controlplane.spec.load import Document, KeyPath

Origin = Literal["spec", "tier"]


@dataclass
class Layered:
    """A spec merged over its tier's defaults: the data, where each node came from, a locator."""

    data: dict[str, Any]
    doc: Document  # positions of the merged data; defaults point into mlcp.yaml
    origin: dict[KeyPath, Origin] = field(default_factory=dict)

    def origin_of(self, path: KeyPath) -> Origin | None:
        return self.origin.get(path)


def _merge(base: Any, over: Any, path: KeyPath, origin: dict[KeyPath, Origin]) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        merged: dict[str, Any] = {}
        for key in (*base, *(k for k in over if k not in base)):
            sub = (*path, key)
            if key in over:
                merged[key] = _merge(base.get(key), over[key], sub, origin)
            else:
                merged[key] = _mark(base[key], sub, origin, "tier")
        origin[path] = "spec"
        return merged
    return _mark(over, path, origin, "spec")


def _mark(value: Any, path: KeyPath, origin: dict[KeyPath, Origin], how: Origin) -> Any:
    origin[path] = how
    if isinstance(value, dict):
        for key, sub in value.items():
            _mark(sub, (*path, key), origin, how)
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            _mark(sub, (*path, index), origin, how)
    return value


def layer(spec: Document, defaults: dict[str, Any], config: Document | None, tier: str) -> Layered:
    """Merge a tier's defaults under a spec (maps merge, lists and scalars replace)."""
    origin: dict[KeyPath, Origin] = {}
    data = _merge(defaults, spec.data, (), origin)
    doc = Document(file=spec.file, data=data)
    prefix: KeyPath = ("defaults", tier)
    for path, how in origin.items():
        if how == "spec":
            source = spec
            at = path
        elif config is not None:
            source, at = config, (*prefix, *path)
        else:
            continue
        if at in source.keys:
            doc.keys[path] = source.keys[at]
        if at in source.values:
            doc.values[path] = source.values[at]
    return Layered(data=data, doc=doc, origin=origin)
