"""Read YAML into plain data while remembering where every key and value was.

The loader composes the YAML node graph (which is linear in the size of the
file, aliases or not) and converts it to dicts, lists and scalars itself, so
that it can refuse what a reviewed spec has no use for: duplicate keys,
anchors and aliases (no "billion laughs"), custom tags, several documents.
Every refusal is a located ``Diagnostic``; nothing here raises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from controlplane.diagnostics import Diagnostic

MAX_BYTES = 1024 * 1024
Key = str | int
KeyPath = tuple[Key, ...]


@dataclass(frozen=True)
class Location:
    file: str
    line: int
    col: int


@dataclass
class Document:
    """A YAML file as plain data, with the location of every key and value."""

    file: str
    data: dict[str, Any]
    keys: dict[KeyPath, Location] = field(default_factory=dict)
    values: dict[KeyPath, Location] = field(default_factory=dict)

    def locate(self, path: KeyPath, *, key: bool = False) -> Location:
        """The closest located point: the path itself, else its nearest located parent."""
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            table = (self.keys, self.values) if key or end < len(path) else (self.values, self.keys)
            for candidates in table:
                if prefix in candidates:
                    return candidates[prefix]
        return Location(self.file, 1, 1)


class LoadError(Exception):
    def __init__(self, code: str, message: str, line: int = 1, col: int = 1, hint: str = ""):
        super().__init__(message)
        self.code, self.message, self.line, self.col, self.hint = code, message, line, col, hint


_TAG = "tag:yaml.org,2002:"


def _scalar(node: ScalarNode) -> Any:
    tag, text = node.tag, node.value
    tag = getattr(tag, "value", tag)  # ruamel wraps tags in a Tag object
    if tag == _TAG + "str" or tag == _TAG + "timestamp":
        return text
    if tag == _TAG + "null":
        return None
    if tag == _TAG + "bool":
        return text.lower() == "true"
    if tag == _TAG + "int":
        clean = text.replace("_", "")
        try:
            return int(clean, 0) if clean[:2].lower() in ("0x", "0o", "0b") else int(clean)
        except ValueError:
            return text
    if tag == _TAG + "float":
        clean = text.replace("_", "").lower()
        if clean in (".inf", "+.inf"):
            return float("inf")
        if clean == "-.inf":
            return float("-inf")
        if clean == ".nan":
            return float("nan")
        return float(clean)
    raise LoadError(
        "MLCP105",
        f"the tag {tag!r} is not allowed in a spec",
        node.start_mark.line + 1,
        node.start_mark.column + 1,
        "remove the tag; specs hold plain maps, lists, strings and numbers",
    )


class _Converter:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.seen: set[int] = set()

    def _loc(self, node: Node) -> Location:
        return Location(self.doc.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def convert(self, node: Node, path: KeyPath) -> Any:
        if id(node) in self.seen or getattr(node, "anchor", None):
            loc = self._loc(node)
            raise LoadError(
                "MLCP105",
                "anchors and aliases are not allowed in a spec",
                loc.line,
                loc.col,
                "write the value out in full; each spec is reviewed as it reads",
            )
        self.seen.add(id(node))
        self.doc.values[path] = self._loc(node)
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            return [self.convert(item, (*path, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        return _scalar(node)

    def _mapping(self, node: MappingNode, path: KeyPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            loc = self._loc(key_node)
            if not isinstance(key_node, ScalarNode):
                raise LoadError("MLCP112", "a key must be a plain string", loc.line, loc.col)
            if key_node.value == "<<":
                raise LoadError("MLCP105", "merge keys (<<) are not allowed", loc.line, loc.col)
            key = key_node.value if isinstance(key_node.value, str) else str(key_node.value)
            if key in result:
                first = self.doc.keys[(*path, key)]
                raise LoadError(
                    "MLCP104",
                    f"duplicate key {key!r} (first defined at line {first.line})",
                    loc.line,
                    loc.col,
                    "keep one of them; YAML would silently take the last",
                )
            self.doc.keys[(*path, key)] = loc
            result[key] = self.convert(value_node, (*path, key))
        return result


def _decode(raw: bytes) -> str:
    if not raw.strip():
        raise LoadError("MLCP101", "the file is empty", hint="start from `mlcp new NAME`")
    if b"\x00" in raw:
        raise LoadError("MLCP101", "the file is binary, not YAML text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise LoadError("MLCP101", "the file is not valid UTF-8", line, col) from None
    return text.removeprefix("\ufeff")


def _compose(text: str) -> Node:
    yaml = YAML(typ="safe", pure=True)
    documents = yaml.compose_all(text)
    first = next(documents, None)
    if first is None:
        raise LoadError("MLCP101", "the file holds no YAML document", hint="start from `mlcp new`")
    second = next(documents, None)
    if second is not None:
        raise LoadError(
            "MLCP102",
            "the file holds more than one YAML document",
            second.start_mark.line + 1,
            second.start_mark.column + 1,
            "one model per file: move the next document to a file of its own",
        )
    node: Node = first
    return node


def _parse(file: str, raw: bytes) -> Document:
    if len(raw) > MAX_BYTES:
        raise LoadError("MLCP101", f"the file is {len(raw)} bytes; a spec may be at most 1 MiB")
    text = _decode(raw)
    try:
        root = _compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise LoadError("MLCP100", f"invalid YAML: {problem}", line, col) from None
    except YAMLError as exc:
        raise LoadError("MLCP100", f"invalid YAML: {exc}") from None
    if not isinstance(root, MappingNode):
        kind = "a list" if isinstance(root, SequenceNode) else "a single value"
        raise LoadError(
            "MLCP103",
            f"the top level must be a mapping of keys, not {kind}",
            root.start_mark.line + 1,
            root.start_mark.column + 1,
        )
    doc = Document(file=file, data={})
    doc.data = _Converter(doc).convert(root, ())
    return doc


def load_document(path: Path, display: str) -> Document | Diagnostic:
    """Read and convert one YAML file; a Diagnostic says why it could not be."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise LoadError(
                "MLCP101", f"the file is {path.stat().st_size} bytes; a spec may be at most 1 MiB"
            )
        return _parse(display, path.read_bytes())
    except LoadError as err:
        return Diagnostic(display, err.line, err.col, err.code, "error", err.message, err.hint)
    except OSError as exc:
        return Diagnostic(
            display, 1, 1, "MLCP101", "error", f"cannot read the file: {exc.strerror}"
        )
    except RecursionError:
        return Diagnostic(display, 1, 1, "MLCP101", "error", "the file nests too deeply")
