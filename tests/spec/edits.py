"""Edits a test makes to a spec loaded as plain data, before writing it back."""

from __future__ import annotations

import copy
from typing import Any


def with_value(data: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    """A copy of `data` with the key at `path` (keys and list indexes) set to `value`."""
    changed = copy.deepcopy(data)
    node: Any = changed
    for segment in path[:-1]:
        node = node[segment]
    node[path[-1]] = value
    return changed
