"""Read YAML into plain data while remembering where every key and value was.

The loader reads YAML parser events (never expanding an alias) and builds
dicts, lists and scalars itself, under the YAML 1.2 core schema, so
that it can refuse what a reviewed spec has no use for: duplicate keys,
anchors and aliases (no "billion laughs"), custom tags, several documents.
Every refusal is a located ``Diagnostic``; nothing here raises.

Specs are YAML 1.2. The events come from libyaml when it is installed,
because it is about ten times faster, but libyaml implements YAML 1.1, which
refuses some YAML 1.2 that tools write (a URL as a plain scalar in a flow
mapping, ``{source: s3://bucket/path/}``) and reads a few characters as line
breaks that YAML 1.2 reads as text. So libyaml only reads a file it can read
as YAML 1.2 would: a ':' it refuses inside a flow scalar stands in for a
moment as another character, and a file holding one of those characters, or
one libyaml still refuses, is read by ruamel.yaml's pure-Python YAML 1.2
parser, whose verdict stands (tests/spec/test_load_yaml12.py holds the paths
to the same data and positions).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from controlplane.diagnostics import Diagnostic

CParser: Any
try:  # libyaml's parser, about a hundred times faster than the pure-Python one
    from ruamel.yaml.cyaml import CParser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - the pure parser gives the same events
    CParser = None


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


MAX_DEPTH = 64
_NULL = re.compile(r"^(~|null|Null|NULL|)$")
_BOOL = re.compile(r"^(true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^[-+]?[0-9]+$")
_INT_BASE = re.compile(r"^0o[0-7]+$|^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_SPECIAL_FLOAT = {
    ".inf": float("inf"),
    "+.inf": float("inf"),
    "-.inf": float("-inf"),
    ".nan": float("nan"),
}
_STR_TAGS = {None, "!", "tag:yaml.org,2002:str"}


def resolve_plain(text: str) -> Any:
    """A plain (unquoted) scalar under the YAML 1.2 core schema: `yes` stays a string."""
    if _NULL.fullmatch(text):
        return None
    if _BOOL.fullmatch(text):
        return text.lower() == "true"
    if _INT.fullmatch(text):
        return int(text)
    if _INT_BASE.fullmatch(text):
        return int(text, 0)
    if _FLOAT.fullmatch(text):
        return float(text)
    return _SPECIAL_FLOAT.get(text.lower(), text)


# Characters libyaml (YAML 1.1) reads as line breaks, where YAML 1.2 reads text; a byte
# order mark past the start, which libyaml skips in places and miscounts columns after.
_YAML_1_1_TRAPS = ("\x85", "\u2028", "\u2029", "\ufeff")


def _libyaml_events(text: str) -> Iterator[Any]:
    parser = CParser(text)
    while parser.check_event():
        yield parser.get_event()


def _yaml_1_2_events(text: str) -> Iterator[Any]:
    return iter(YAML(typ="safe", pure=True).parse(text))


def _libyaml_reads_as_yaml_1_2(text: str) -> bool:
    """Whether libyaml may read the text: it never meets a character it reads differently."""
    return CParser is not None and not any(trap in text for trap in _YAML_1_1_TRAPS)


# libyaml stops at a ':' inside a plain scalar in a flow collection (`{source: s3://x}`),
# which YAML 1.2 reads as part of the scalar when a character that may go on in a plain
# scalar follows it. For libyaml alone, such a ':' is replaced by a character the text does
# not hold, then put back in the values: one character for one, so every position stands.
_COLON_STAND_IN = "\ue000"
_MAX_STAND_INS = 32
_ENDS_A_FLOW_SCALAR = " \t\r\n,[]{}"


def _libyaml_events_with_colons(text: str, error: YAMLError) -> list[Any] | None:
    """libyaml's events once each colon it refused stands in; None if another error remains."""
    if _COLON_STAND_IN in text:
        return None
    source = text
    for _ in range(_MAX_STAND_INS):
        colon = _colon_libyaml_refuses(error, source)
        if colon is None:
            return None
        source = source[:colon] + _COLON_STAND_IN + source[colon + 1 :]
        try:
            events = list(_libyaml_events(source))
        except YAMLError as again:
            error = again
            continue
        for event in events:
            if isinstance(event, ScalarEvent) and _COLON_STAND_IN in event.value:
                event.value = event.value.replace(_COLON_STAND_IN, ":")
        return events
    return None


def _colon_libyaml_refuses(error: YAMLError, text: str) -> int | None:
    """Where the ':' is that libyaml refused inside a flow plain scalar, if YAML 1.2 keeps it."""
    if not isinstance(error, MarkedYAMLError) or error.problem != "found unexpected ':'":
        return None
    mark = error.problem_mark
    start = 0
    for _ in range(mark.line):
        start = text.find("\n", start) + 1
        if start == 0:
            return None
    colon = start + int(mark.column)
    follower = text[colon + 1 : colon + 2]
    if text[colon : colon + 1] != ":" or not follower or follower in _ENDS_A_FLOW_SCALAR:
        return None
    return colon


class _Builder:
    """Plain data from parser events, recording the position of every key and value."""

    def __init__(self, doc: Document, events: Iterator[Any]) -> None:
        self.doc, self.events = doc, events

    def _loc(self, event: Any) -> Location:
        return Location(self.doc.file, event.start_mark.line + 1, event.start_mark.column + 1)

    def _refuse(self, code: str, message: str, event: Any, hint: str = "") -> LoadError:
        loc = self._loc(event)
        return LoadError(code, message, loc.line, loc.col, hint)

    def value(self, event: Any, path: KeyPath, key: Any = None) -> Any:
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None):
            raise self._refuse(
                "MLCP105",
                "anchors and aliases are not allowed in a spec",
                event,
                "write the value out in full; each spec is reviewed as it reads",
            )
        tag = getattr(event, "tag", None)
        if tag not in _STR_TAGS or (tag and not isinstance(event, ScalarEvent)):
            raise self._refuse(
                "MLCP105",
                f"the tag {tag!r} is not allowed in a spec",
                event,
                "remove the tag; specs hold plain maps, lists, strings and numbers",
            )
        if len(path) > MAX_DEPTH:
            raise self._refuse("MLCP101", f"the file nests deeper than {MAX_DEPTH} levels", event)
        self.doc.values[path] = self._value_location(event, key)
        if isinstance(event, MappingStartEvent):
            return self._mapping(path)
        if isinstance(event, SequenceStartEvent):
            return self._sequence(path)
        plain = event.style in (None, "") and tag is None
        return resolve_plain(event.value) if plain else event.value

    def _value_location(self, event: Any, key: Any) -> Location:
        """Where a value is; an empty one, just past its key's ':' (parsers disagree there)."""
        if (
            key is not None
            and isinstance(event, ScalarEvent)
            and not event.value
            and not event.style
        ):
            end = key.end_mark
            return Location(self.doc.file, end.line + 1, end.column + 2)
        return self._loc(event)

    def _sequence(self, path: KeyPath) -> list[Any]:
        items: list[Any] = []
        for event in self.events:
            if isinstance(event, SequenceEndEvent):
                return items
            items.append(self.value(event, (*path, len(items))))
        raise LoadError("MLCP100", "invalid YAML: unexpected end of the file")

    def _mapping(self, path: KeyPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for event in self.events:
            if isinstance(event, MappingEndEvent):
                return result
            if getattr(event, "anchor", None) or isinstance(event, AliasEvent):
                raise self._refuse(
                    "MLCP105",
                    "anchors and aliases are not allowed in a spec",
                    event,
                    "write the key out in full; each spec is reviewed as it reads",
                )
            if not isinstance(event, ScalarEvent):
                raise self._refuse(
                    "MLCP112",
                    "a key must be a plain string",
                    event,
                    "write the key as text, such as `name:`; a list or mapping cannot be a key",
                )
            key = event.value
            if key == "<<" and event.style in (None, ""):
                raise self._refuse(
                    "MLCP105",
                    "merge keys (<<) are not allowed",
                    event,
                    "write the keys out in full; each spec is reviewed as it reads",
                )
            if key in result:
                first = self.doc.keys[(*path, key)]
                raise self._refuse(
                    "MLCP104",
                    f"duplicate key {key!r} (first defined at line {first.line})",
                    event,
                    "keep one of them; YAML would silently take the last",
                )
            self.doc.keys[(*path, key)] = self._loc(event)
            result[key] = self.value(next(self.events), (*path, key), event)
        raise LoadError("MLCP100", "invalid YAML: unexpected end of the file")


def _decode(raw: bytes) -> str:
    if not raw.strip():
        raise LoadError("MLCP101", "the file is empty", hint="start from `mlcp new NAME`")
    if b"\x00" in raw:
        raise LoadError(
            "MLCP101", "the file is binary, not YAML text", hint="a spec is a UTF-8 text file"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        col = len(raw[line_start : exc.start].decode("utf-8", "replace")) + 1  # in characters
        raise LoadError(
            "MLCP101", "the file is not valid UTF-8", line, col, "save the file as UTF-8"
        ) from None
    return text.removeprefix("\ufeff")


def _build(file: str, text: str, events: Iterator[Any]) -> Document:
    """The one document of a file, built from its parser events."""
    doc = Document(file=file, data={})
    builder = _Builder(doc, events)
    root = data = None
    for event in events:
        if isinstance(event, DocumentStartEvent):
            if root is not None:
                raise builder._refuse(
                    "MLCP102",
                    "the file holds more than one YAML document",
                    event,
                    "one model per file: move the next document to a file of its own",
                )
            _check_version(event, text)
            root = next(events)
            data = builder.value(root, ())
    if root is None or (isinstance(root, ScalarEvent) and root.value == "" and not root.style):
        raise LoadError(
            "MLCP101",
            "the file holds no YAML, only comments or blank lines",
            hint="start from `mlcp new NAME`",
        )
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        loc = builder._loc(root)
        raise LoadError(
            "MLCP103",
            f"the top level must be a mapping of keys, not {kind}",
            loc.line,
            loc.col,
            "a spec starts with `apiVersion: mlcp/v1` and `kind: Model` at the left margin",
        )
    doc.data = data
    return doc


def _check_version(event: Any, text: str) -> None:
    """A `%YAML 1.1` directive would change what `yes`, `on` or `010` mean: refuse it."""
    version = getattr(event, "version", None)
    if version is not None and tuple(version) != (1, 2):
        raise _version_refused(text)


def _version_refused(text: str) -> LoadError:
    found = re.search(r"^%YAML[ \t]+(\S*)", text, re.MULTILINE)
    line = text.count("\n", 0, found.start()) + 1 if found else 1
    declared = found.group(1) if found else "other than 1.2"
    return LoadError(
        "MLCP100",
        f"the file declares YAML {declared}; a spec is YAML 1.2",
        line,
        1,
        "remove the %YAML line (or write `%YAML 1.2`): under YAML 1.2, yes, no, on "
        "and off are strings",
    )


def _parse(file: str, raw: bytes) -> Document:
    """One spec from its bytes (no disk access); raises LoadError when it cannot be one."""
    if len(raw) > MAX_BYTES:
        raise LoadError("MLCP101", f"the file is {len(raw)} bytes; a spec may be at most 1 MiB")
    text = _decode(raw)
    if _libyaml_reads_as_yaml_1_2(text):
        try:
            return _build(file, text, _libyaml_events(text))
        except YAMLError as refused:  # libyaml refuses some YAML 1.2
            events = _libyaml_events_with_colons(text, refused)
            if events is not None:
                return _build(file, text, iter(events))
    try:
        return _build(file, text, _yaml_1_2_events(text))
    except MarkedYAMLError as exc:
        if "incompatible YAML document" in str(exc.problem):
            raise _version_refused(text) from None
        # imported here, where a file has a syntax error, to keep start-up fast
        from controlplane.spec.yaml_syntax import explain_syntax_error

        found = explain_syntax_error(exc, text)
        raise LoadError("MLCP100", found.message, found.line, found.col, found.hint) from None
    except YAMLError as exc:
        raise LoadError("MLCP100", f"invalid YAML: {exc}") from None
    except AssertionError:  # ruamel asserts on `%YAML 1.3` instead of raising its own error
        raise _version_refused(text) from None


def _clamp(text: str, line: int, col: int) -> tuple[int, int]:
    """Keep an end-of-file position on the file's last line (the parser points past it)."""
    lines = text.split("\n")
    if line > len(lines):
        return len(lines), len(lines[-1]) + 1
    return line, col


def load_source(raw: bytes, display: str) -> Document | Diagnostic:
    """One spec from its bytes, named `display` in diagnostics; a Diagnostic says why not."""
    try:
        return _parse(display, raw)
    except LoadError as err:
        line, col = _clamp(raw.decode("utf-8", "replace"), err.line, err.col)
        return Diagnostic(display, line, col, err.code, "error", err.message, err.hint)
    except RecursionError:
        return Diagnostic(display, 1, 1, "MLCP101", "error", "the file nests too deeply")


def read_spec(path: Path, display: str) -> bytes | Diagnostic:
    """A spec file's bytes; too large (refused before reading) or unreadable is a Diagnostic."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:  # refuse before reading: a spec is small, a mistake may not be
            message = f"the file is {size} bytes; a spec may be at most 1 MiB"
            return Diagnostic(display, 1, 1, "MLCP101", "error", message)
        return path.read_bytes()
    except OSError as exc:
        message = f"cannot read the file: {exc.strerror}"
        return Diagnostic(display, 1, 1, "MLCP101", "error", message)


def load_document(path: Path, display: str) -> Document | Diagnostic:
    """Read and convert one YAML file; a Diagnostic says why it could not be."""
    raw = read_spec(path, display)
    return raw if isinstance(raw, Diagnostic) else load_source(raw, display)
