"""The field-level difference of two normalized models, each value shown in its unit
and named by its path in the spec (`controlplane.model.Meaning`, read by `fields`).

Lists of named things (features, quality metrics, proxies) are compared by
name, so a reordered list is no change and a renamed metric is one removed and
one added. What each change means is `controlplane.plan.meaning`'s business.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from controlplane import units
from controlplane.model import Meaning, Model
from controlplane.plan.fields import PLAIN, meanings, spec_path
from controlplane.plan.meaning import meaning_of
from controlplane.plan.types import FieldChange


@dataclass(frozen=True)
class _At:
    """Where a value is: its spec path, the place its named item is listed, its meaning,
    and the model path of the model-wide value it takes unless overridden."""

    spec: str
    item: str
    meaning: Meaning
    inherits: str | None


@dataclass(frozen=True)
class Raw:
    path: str  # in the spec
    old: Any
    new: Any
    meaning: Meaning


def spec_changes(before: Model, after: Model) -> list[FieldChange]:
    """Every changed value, in the order the model declares its fields."""
    changes = []
    for raw in _walk(before, after, _At("", "", PLAIN, None), (before, after)):
        meaning, risky = meaning_of(raw.path, raw.old, raw.new, after, raw.meaning.looser)
        shown = show(raw.old, raw.meaning), show(raw.new, raw.meaning)
        changes.append(FieldChange(raw.path, *shown, meaning, risky))
    return changes


def _walk(before: Any, after: Any, at: _At, models: tuple[Model, Model]) -> Iterator[Raw]:
    if before == after or at.meaning.derived or _inherited(before, after, at.inherits, models):
        return
    if _record(before) and type(before) is type(after):
        for name, meaning in meanings(type(before)).items():
            inherits = at.inherits and f"{at.inherits}.{name}"
            inner = _At(spec_path(at.spec, name, meaning, at.item), at.item, meaning,
                        meaning.inherits or inherits)  # fmt: skip
            yield from _walk(getattr(before, name), getattr(after, name), inner, models)
    elif _named(before) and _named(after):
        old = {item.name: item for item in before}
        new = {item.name: item for item in after}
        for name in [*old, *(n for n in new if n not in old)]:
            a, b = old.get(name), new.get(name)
            listed = at.meaning.listed.format_map(vars(b or a)) if at.meaning.listed else at.spec
            item = f"{listed}[{name}]"
            if a is None or b is None:
                yield Raw(item, a, b, PLAIN)
            else:
                yield from _walk(a, b, _At(f"{at.spec}[{name}]", item, PLAIN, None), models)
    else:
        yield Raw(at.spec, before, after, at.meaning)


def _inherited(before: Any, after: Any, inherits: str | None, models: tuple[Model, Model]) -> bool:
    """The value is the model-wide one on both sides: that one's change says it."""
    if inherits is None:
        return False
    return bool(before == _at(models[0], inherits) and after == _at(models[1], inherits))


def _at(record: Any, path: str) -> Any:
    for name in path.split("."):
        record = getattr(record, name)
    return record


def _record(value: Any) -> bool:
    """A model record (a dataclass instance), not a plain value."""
    return dataclasses.is_dataclass(value) and not isinstance(value, type)


def _named(value: Any) -> bool:
    """A tuple of records with a name (features, metrics, proxies), or an empty one."""
    return isinstance(value, tuple) and all(hasattr(item, "name") for item in value)


def show(value: Any, meaning: Meaning = PLAIN) -> str | None:
    """A value as a person would write it in a spec: `150ms`, `0.1%`, `[1h, 1d]`."""
    if value is None:
        return None
    if _record(value):
        fields = meanings(type(value))
        shown = ((name, show(getattr(value, name), m)) for name, m in fields.items())
        return "{" + ", ".join(f"{k}: {v}" for k, v in shown if v is not None) + "}"
    if isinstance(value, tuple):
        return "[" + ", ".join(show(v, meaning) or "null" for v in value) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and meaning.unit == "moment":
        return units.format_timestamp(value)
    if isinstance(value, float) and meaning.unit == "duration":
        return units.format_duration(value)
    if isinstance(value, float) and meaning.unit == "rate":
        return f"{value * 100:g}%"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
