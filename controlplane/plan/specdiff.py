"""The field-level difference of two normalized models, each value shown in its unit.

Lists of named things (features, quality metrics, proxies) are compared by
name, so a reordered list is no change and a renamed metric is one removed and
one added. What each change means is `controlplane.plan.meaning`'s business.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from controlplane import units
from controlplane.model import Model
from controlplane.plan.meaning import meaning_of
from controlplane.plan.types import FieldChange

# Values derived from others that a spec does not write: their source shows the change
# (spec_sha256 changes with any edit, comments included, so it says nothing by itself).
DERIVED = frozenset(
    {"source", "spec_sha256", "serving.gpu", "retraining.gpu", "retraining.schedule"}
)
MOMENTS = frozenset({"since"})  # seconds since the epoch: shown as the spec writes a time
DURATIONS = frozenset(
    {"p50", "p95", "p99", "window", "windows", "ttl", "max_delay", "label_delay", "data_window",
     "tuning_timeout", "max_runtime", "duration", "bake_time", "recovery", "volume_compare_to",
     "checkpoint_every"}
)  # fmt: skip
RATES = frozenset(
    {"error_rate", "availability", "null_min_rate", "out_of_range_max_rate", "unseen_max_rate",
     "volume_max_drop", "max_divergence", "min_improvement"}
)  # fmt: skip

Raw = tuple[str, Any, Any]


def spec_changes(before: Model, after: Model) -> list[FieldChange]:
    """Every changed value, in the order the model declares its fields."""
    changes = []
    for path, old, new in _walk(before, after, ""):
        meaning, risky = meaning_of(path, old, new, before, after)
        changes.append(FieldChange(path, show(path, old), show(path, new), meaning, risky))
    return changes


def _walk(before: Any, after: Any, path: str) -> Iterator[Raw]:
    if before == after or path in DERIVED:
        return
    if dataclasses.is_dataclass(before) and type(before) is type(after):
        for f in dataclasses.fields(before):
            yield from _walk(getattr(before, f.name), getattr(after, f.name), _join(path, f.name))
    elif _named(before) and _named(after):
        old = {item.name: item for item in before}
        new = {item.name: item for item in after}
        for name in [*old, *(n for n in new if n not in old)]:
            yield from _walk(old.get(name), new.get(name), f"{path}[{name}]")
    else:
        yield path, before, after


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _named(value: Any) -> bool:
    """A tuple of records with a name (features, metrics, proxies), or an empty one."""
    return isinstance(value, tuple) and all(hasattr(item, "name") for item in value)


def show(path: str, value: Any) -> str | None:
    """A value as a person would write it in a spec: `150ms`, `0.1%`, `[1h, 1d]`."""
    if value is None:
        return None
    leaf = path.rsplit(".", 1)[-1].split("[")[0]
    if dataclasses.is_dataclass(value):
        shown = ((f.name, show(f.name, getattr(value, f.name))) for f in dataclasses.fields(value))
        return "{" + ", ".join(f"{k}: {v}" for k, v in shown if v is not None) + "}"
    if isinstance(value, tuple):
        return "[" + ", ".join(show(path, v) or "null" for v in value) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and leaf in MOMENTS:
        return units.format_timestamp(value)
    if isinstance(value, float) and leaf in DURATIONS:
        return units.format_duration(value)
    if isinstance(value, float) and leaf in RATES:
        return f"{value * 100:g}%"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
