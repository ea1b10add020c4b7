"""The `Meaning` of every field of the normalized model, read from its annotations.

`controlplane.model` annotates a field once with its spec path, unit, looser
direction or derivation; the plan's field diff (`specdiff`) and what a change
means (`meaning`) read them here instead of keeping their own lists.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Iterator
from typing import Any

from controlplane.model import Meaning, Model

PLAIN = Meaning()
_MEANINGS: dict[type[Any], dict[str, Meaning]] = {}


def meanings(record: type[Any]) -> dict[str, Meaning]:
    """Each field of a model record by name, with its `Meaning` (plain when not annotated)."""
    found = _MEANINGS.get(record)
    if found is None:
        hints = typing.get_type_hints(record, include_extras=True)
        found = {f.name: _meaning(hints[f.name]) for f in dataclasses.fields(record)}
        _MEANINGS[record] = found
    return found


def _meaning(hint: Any) -> Meaning:
    found = [m for m in getattr(hint, "__metadata__", ()) if isinstance(m, Meaning)]
    return found[0] if found else PLAIN


def spec_path(base: str, name: str, meaning: Meaning, item: str) -> str:
    """The spec path of field `name` of a record at spec path `base`, within the named
    item listed at `item` (the record itself when it is not in a list of named items)."""
    if meaning.spec == "":
        return item
    relative = name if meaning.spec is None else meaning.spec
    return f"{base}.{relative}" if base else relative


def every_field(
    record: type = Model, model: str = "", spec: str = "", item: str | None = None
) -> Iterator[tuple[str, str, Meaning]]:
    """(model path, spec path, Meaning) of every field under `record`, nested records and
    named items (written `[*]`) included; a `listed` template is left unformatted."""
    hints = typing.get_type_hints(record, include_extras=True)
    for name, meaning in meanings(record).items():
        path = f"{model}.{name}" if model else name
        at = spec_path(spec, name, meaning, spec if item is None else item)
        yield path, at, meaning
        inner, named = _record(hints[name])
        if inner is not None and named:
            listed = f"{meaning.listed or at}[*]"
            yield f"{path}[*]", listed, PLAIN
            yield from every_field(inner, f"{path}[*]", f"{at}[*]", listed)
        elif inner is not None:
            yield from every_field(inner, path, at, item)


def _record(hint: Any) -> tuple[type | None, bool]:
    """The model record a field holds (None: a plain value), and whether in a tuple of them."""
    if typing.get_origin(hint) is typing.Annotated:
        hint = typing.get_args(hint)[0]
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        hint = next(a for a in typing.get_args(hint) if a is not type(None))
    if typing.get_origin(hint) is tuple:
        args = typing.get_args(hint)
        inner = args[0] if len(args) == 2 and args[1] is Ellipsis else None
        return (inner, True) if _is_record(inner) else (None, False)
    return (hint, False) if _is_record(hint) else (None, False)


def _is_record(hint: Any) -> bool:
    return isinstance(hint, type) and dataclasses.is_dataclass(hint)
