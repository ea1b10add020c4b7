"""The field reference of a model spec or of mlcp.yaml, read from its JSON Schema."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from controlplane import units
from controlplane.docs.markdown import cell, code
from controlplane.render.schema import PARTIAL, json_schema

UNIT_NAMES = {
    units.DURATION_PATTERN: "duration",
    units.PERCENT_PATTERN: "number or percentage",
    units.THROUGHPUT_PATTERN: "throughput",
    units.TIMESTAMP_PATTERN: "timestamp",
}
INTRO = {
    "model": """# Model spec (spec v1)

Every key a model spec (`kind: Model`) may hold. Units are written as people write them:
a **duration** `150ms`, `30s`, `5m`, `2h`, `1d`, `1w`, `9mo`, `1y`; a **number or
percentage** `0.85` or `85%` (a rate written as a bare number is a fraction: `0.5` is 50%);
a **throughput** `50/s`, `3000/m`; a **timestamp** `2026-11-30T08:00:00Z`. `[]` marks a
list item, `<name>` a name you choose.
""",
    "config": """# mlcp.yaml

Every key of the repository's configuration (`kind: Config`). `defaults.<tier>` holds any
part of a [model spec](spec.md): the spec's own value wins, then the tier's, then mlcp's.
`[]` marks a list item, `<name>` a name you choose.
""",
}


@dataclass(frozen=True)
class Field:
    path: str
    schema: dict[str, Any]
    required: bool


class _Walk:
    def __init__(self, root: dict[str, Any]) -> None:
        self.defs: dict[str, Any] = root.get("$defs", {})

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        ref = schema.get("$ref")
        if isinstance(ref, str):
            return {**self.defs[ref.removeprefix("#/$defs/")], **schema}
        return schema

    def object_of(self, schema: dict[str, Any]) -> dict[str, Any] | None:
        """The object schema a value holds (itself, its reference, or its non-null branch)."""
        schema = self.resolve(schema)
        if "properties" in schema:
            return schema
        for branch in schema.get("anyOf", []):
            found = self.object_of(branch)
            if found is not None:
                return found
        return None

    def fields(self, schema: dict[str, Any], prefix: str) -> Iterator[Field]:
        properties = dict(schema.get("properties", {}))
        for condition in schema.get("allOf", []):  # keys of one serving mode
            properties.update(condition.get("else", {}).get("properties", {}))
        required = set(schema.get("required", []))
        for name, sub in properties.items():
            path = f"{prefix}{name}"
            yield Field(path, sub, name in required)
            yield from self.children(self.resolve(sub), path)

    def children(self, schema: dict[str, Any], path: str) -> Iterator[Field]:
        if "$ref" in schema and schema["$ref"].endswith(PARTIAL + "ModelSpec"):
            return  # defaults.<tier>: a partial model spec, documented in spec.md
        inner = self.object_of(schema)
        if inner is not None:
            yield from self.fields(inner, f"{path}.")
            return
        items = schema.get("items")
        if isinstance(items, dict) and (item := self.object_of(items)) is not None:
            yield from self.fields(item, f"{path}[].")
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and (value := self.object_of(extra)) is not None:
            yield from self.fields(value, f"{path}.<name>.")


def _flow(value: Any) -> str:
    """A default as it is written in YAML flow style: `1w`, `[1h, 1d]`, `{min: 1}`."""
    if isinstance(value, bool) or value is None or value == "":
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    return str(value)


def _type(walk: _Walk, schema: dict[str, Any]) -> str:
    schema = walk.resolve(schema)
    if "enum" in schema or "const" in schema:
        choices = schema.get("enum", [schema.get("const")])
        return "one of " + ", ".join(code(_flow(c)) for c in choices if c is not None)
    pattern = schema.get("pattern")
    if pattern in UNIT_NAMES:
        return UNIT_NAMES[pattern]
    if "anyOf" in schema:
        kinds = [_type(walk, b) for b in schema["anyOf"] if b.get("type") != "null"]
        return " or ".join(dict.fromkeys(kinds))
    kind = schema.get("type", "object")
    kinds = [k for k in (kind if isinstance(kind, list) else [kind]) if k != "null"]
    if kinds == ["array"]:
        return f"list of {_type(walk, schema.get('items', {}))}"
    if kinds == ["object"]:
        return "mapping" if "properties" in schema else "mapping of name to value"
    return " or ".join({"string": "text", "boolean": "true or false"}.get(k, k) for k in kinds)


def _limits(schema: dict[str, Any]) -> list[str]:
    said = []
    for key, text in (
        ("minimum", "at least {}"),
        ("exclusiveMinimum", "above {}"),
        ("maximum", "at most {}"),
        ("exclusiveMaximum", "below {}"),
        ("minItems", "at least {} item(s)"),
        ("maxItems", "at most {} item(s)"),
        ("maxLength", "at most {} characters"),
    ):
        if key in schema:
            said.append(text.format(schema[key]))
    pattern = schema.get("pattern")
    if pattern and pattern not in UNIT_NAMES:
        said.append(f"matches {code(pattern)}")
    return said


def _row(walk: _Walk, field: Field) -> str:
    schema = walk.resolve(field.schema)
    default = "required" if field.required else ""
    if "default" in field.schema and walk.object_of(field.schema) is None:
        default = code(_flow(field.schema["default"]))
    limits = "; ".join(_limits(schema))
    described = field.schema.get("description", "")
    about = f"{described} ({limits})" if limits else described
    cells = [code(field.path), _type(walk, field.schema), default, about]
    return "| " + " | ".join(cell(c) for c in cells) + " |"


def render(kind: str) -> str:
    """The reference page of a spec kind: a table of keys for each top-level section."""
    schema = json_schema(kind)
    walk = _Walk(schema)
    lines = [INTRO[kind]]
    top: list[Field] = []
    for field in walk.fields(schema, ""):
        if "." in field.path:
            continue
        if any(walk.children(walk.resolve(field.schema), field.path)):
            lines += _section(walk, field)
        else:
            top.append(field)
    head = ["## Top level", "", "| key | type | default | meaning |", "|---|---|---|---|"]
    return "\n".join([*lines[:1], *head, *(_row(walk, f) for f in top), "", *lines[1:]])


def _section(walk: _Walk, section: Field) -> list[str]:
    rows = [_row(walk, f) for f in walk.children(walk.resolve(section.schema), section.path)]
    return [
        f"## {section.path}",
        "",
        section.schema.get("description", ""),
        "",
        "| key | type | default | meaning |",
        "|---|---|---|---|",
        *rows,
        "",
    ]
