"""Edit a spec's text by key path, changing only the lines the edit is about.

`edit_text` sets, replaces or deletes fields with ruamel.yaml's round-trip
mode, so comments, key order, quoting, flow or block style and indentation of
everything else stay as a person wrote them. `controlplane.compile.edit_spec`
does the same and then loads the result with mlcp's own loader and checks it like
`mlcp validate`, so an edit that would leave a broken spec is refused before it is written.

    text = edit_text(text, [Set("rollout.state", "shadow"),
                            Set("rollout.candidate", {"version": "1.5.0", ...}, before="state"),
                            Delete("rollout.candidate")])

A path is a dotted string (``quality.metrics.0.min``: digits index a list) or a
tuple of keys and list indexes.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from controlplane.errors import MlcpError
from controlplane.spec.edit_layout import Layout, give_trailing_lines, splice, take_trailing_lines

PathLike = str | Sequence[str | int]


class SpecEditError(MlcpError):
    """An edit names a field the spec does not have, or leaves a spec that does not validate."""


@dataclass(frozen=True)
class Set:
    """Give the field at ``path`` a value, adding the key (and mappings above it) if missing.

    A new key goes before the sibling named ``before`` when there is one, else last.
    """

    path: PathLike
    value: Any
    before: str | None = None


@dataclass(frozen=True)
class Replace:
    """Give an existing field a new value; refused when the field is missing."""

    path: PathLike
    value: Any


@dataclass(frozen=True)
class Delete:
    """Remove the field at ``path``; refused when it is missing."""

    path: PathLike


Edit = Set | Replace | Delete


def key_path(path: PathLike) -> tuple[str | int, ...]:
    """``"a.b.0"`` as ``("a", "b", 0)``; a tuple as given."""
    if isinstance(path, str):
        return tuple(int(part) if part.isdigit() else part for part in path.split("."))
    return tuple(path)


def edit_text(text: str, edits: Iterable[Edit]) -> str:
    """The text with each edit applied in order; every other line as it was."""
    if "\r\n" in text:  # ruamel.yaml writes \n: edit in \n, give the file's line ends back
        return edit_text(text.replace("\r\n", "\n"), edits).replace("\n", "\r\n")
    layout = Layout.of(text)
    yaml = layout.yaml()
    try:
        document = yaml.load(text)
    except YAMLError as error:
        raise SpecEditError(f"cannot edit a spec that is not valid YAML: {error}") from None
    untouched = _dump(yaml, document)
    for edit in edits:
        _apply(document, edit)
    return splice(text, untouched, _dump(yaml, document))


def _dump(yaml: YAML, document: Any) -> str:
    out = io.StringIO()
    yaml.dump(document, out)
    return out.getvalue()


def _parent(document: Any, path: tuple[str | int, ...], *, create: bool = False) -> Any:
    """The node holding the last key of ``path``; ``create`` adds missing mappings on the way."""
    node = document
    for depth, key in enumerate(path[:-1]):
        if create and isinstance(node, CommentedMap) and isinstance(key, str) and key not in node:
            _insert(node, key, CommentedMap(), None, keep_comments=True)
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            shown = ".".join(str(k) for k in path[: depth + 1])
            raise SpecEditError(f"the spec has no field {shown}") from None
    return node


def _apply(document: Any, edit: Edit) -> None:
    path = key_path(edit.path)
    parent, key = _parent(document, path, create=isinstance(edit, Set)), path[-1]
    present = _has(parent, key)
    if not present and not isinstance(edit, Set):
        raise SpecEditError(f"the spec has no field {'.'.join(str(k) for k in path)}")
    if isinstance(edit, Delete):
        before = _previous(parent, key)
        lines = take_trailing_lines(parent, key)
        del parent[key]
        if before is not None:
            give_trailing_lines(parent, before, lines)
        return
    value = _styled_like(parent[key] if present else None, edit.value)
    if present:
        lines = take_trailing_lines(parent, key)
        parent[key] = value
        give_trailing_lines(parent, key, lines)
    elif isinstance(parent, CommentedMap):
        before = getattr(edit, "before", None)
        _insert(parent, str(key), value, before, keep_comments=parent is document)
    else:
        raise SpecEditError(f"cannot add {'.'.join(str(k) for k in path)}: not a mapping")


def _has(parent: Any, key: str | int) -> bool:
    if isinstance(parent, CommentedSeq):
        return isinstance(key, int) and -len(parent) <= key < len(parent)
    return isinstance(parent, CommentedMap) and key in parent


def _previous(parent: Any, key: str | int) -> str | int | None:
    """The item before ``key``: its trailing comment lines move there when ``key`` goes."""
    keys = list(parent) if isinstance(parent, CommentedMap) else list(range(len(parent)))
    index = keys.index(key if isinstance(parent, CommentedMap) else int(key) % len(keys))
    return keys[index - 1] if index > 0 else None


def _insert(
    parent: CommentedMap, key: str, value: Any, before: str | None, *, keep_comments: bool
) -> None:
    """Add ``key``; ``keep_comments`` leaves comment lines after the last key where they are
    (the end of the file), else they move below the new key (before what follows the mapping)."""
    keys = list(parent)
    if before in keys:
        parent.insert(keys.index(before), key, value)
        return
    lines = take_trailing_lines(parent, keys[-1]) if keys and not keep_comments else ""
    parent[key] = value
    give_trailing_lines(parent, key, lines)


def _styled_like(old: Any, new: Any) -> Any:
    """``new`` as ruamel nodes, in flow style when the value it replaces was."""
    if isinstance(new, dict):
        mapping = CommentedMap((k, _styled_like(None, v)) for k, v in new.items())
        if isinstance(old, CommentedMap) and old.fa.flow_style():
            mapping.fa.set_flow_style()
        return mapping
    if isinstance(new, list | tuple):
        sequence = CommentedSeq(_styled_like(None, v) for v in new)
        if isinstance(old, CommentedSeq) and old.fa.flow_style():
            sequence.fa.set_flow_style()
        return sequence
    return new
