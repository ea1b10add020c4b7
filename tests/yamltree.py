"""Walking and dumping a loaded YAML document, for the tests that mutate specs."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from ruamel.yaml import YAML


def paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every key path below `node`, parents before children (list items by index)."""
    if path:
        yield path
    if isinstance(node, dict):
        for key, sub in node.items():
            yield from paths(sub, (*path, key))
    elif isinstance(node, list):
        for index, sub in enumerate(node):
            yield from paths(sub, (*path, index))


def parent(data: Any, path: tuple[Any, ...]) -> Any:
    """The node holding the last segment of `path`."""
    for segment in path[:-1]:
        data = data[segment]
    return data


def dump(data: Any) -> str:
    """Block-style YAML of plain data."""
    stream = io.StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.dump(data, stream)
    return stream.getvalue()
