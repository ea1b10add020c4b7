"""JSON Schemas of spec v1 and mlcp.yaml, for editors (yaml-language-server) and CI.

The schemas are pydantic's, with the shape an editor needs: defaults as a person writes
them (``1w``, not the parsed value), one description per field and no generated titles
(an editor shows both, so a title only repeats the key), the keys of one serving mode
offered only for that mode, and ``defaults.<tier>`` of mlcp.yaml checked as a partial
model spec.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Sequence
from types import ModuleType
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema

from controlplane.model import Config, Model
from controlplane.render import Artifact, jsonwrite
from controlplane.spec import config, v1
from controlplane.spec.config import ConfigSpec
from controlplane.spec.fielddocs import FieldDocs, field_docstrings
from controlplane.spec.types import _Unit
from controlplane.spec.v1 import MODE_FIELDS, ModelSpec

SCHEMA_ID = "https://mlcp.dev/schema/{name}.v1.json"
DRAFT = "https://json-schema.org/draft/2020-12/schema"
# Keywords whose value is a map from names to schemas, or a list of schemas.
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs")
_SCHEMA_LISTS = ("anyOf", "allOf", "oneOf", "prefixItems")
_SCHEMA_ONE = ("items", "additionalProperties", "not", "if", "then", "else")
PARTIAL = "Partial"  # prefix of the model's definitions inside the config schema


def _as_written(value: Any) -> Any:
    """A default as a person writes it in YAML: a unit as its text, containers likewise."""
    if isinstance(value, _Unit):
        return value.text
    if isinstance(value, list | tuple):
        return [_as_written(item) for item in value]
    if isinstance(value, dict):
        return {key: _as_written(item) for key, item in value.items()}
    return value


def _without_unset(value: Any) -> Any:
    """A key whose value is null was left unset: a person does not write it."""
    if isinstance(value, dict):
        return {key: _without_unset(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_unset(item) for item in value]
    return value


class _Generator(GenerateJsonSchema):
    def encode_default(self, dft: Any) -> Any:
        return _without_unset(super().encode_default(_as_written(dft)))


@functools.cache
def _docs(module: ModuleType) -> FieldDocs:
    return field_docstrings([module])


def _describe(schema: dict[str, Any], root: type[BaseModel], docs: FieldDocs) -> None:
    """Each property's description: its field's own (``Field(description=...)``), else the
    docstring under the field, which wins over the description of its type (a unit's)."""
    by_name = {cls.__name__: cls for cls in docs}
    targets = [(schema, root)] + [
        (sub, by_name[name]) for name, sub in schema.get("$defs", {}).items() if name in by_name
    ]
    for target, cls in targets:
        properties = target.get("properties", {})
        for name, info in cls.model_fields.items():
            text = docs[cls].get(name)
            key = info.alias or name
            if text and info.description is None and key in properties:
                properties[key]["description"] = text


def _subschemas(schema: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for key in _SCHEMA_MAPS:
        found += [s for s in schema.get(key, {}).values() if isinstance(s, dict)]
    for key in _SCHEMA_LISTS:
        found += [s for s in schema.get(key, []) if isinstance(s, dict)]
    for key in _SCHEMA_ONE:
        if isinstance(schema.get(key), dict):
            found.append(schema[key])
    return found


def _as_one_type(schema: dict[str, Any]) -> None:
    """``anyOf`` of plain types with keywords of their own as one schema with a type list.

    ``{anyOf: [{type: string, pattern: P}, {type: null}]}`` is ``{type: [string, null],
    pattern: P}`` (a pattern only applies to strings). yaml-language-server's hover shows an
    ``anyOf`` whose branches have no title as `` || `` between empty titles; one schema
    shows the description alone.
    """
    branches = schema["anyOf"]
    if not all(isinstance(b, dict) and isinstance(b.get("type"), str) for b in branches):
        return
    merged: dict[str, Any] = {"type": []}
    for branch in branches:
        own = {k: v for k, v in branch.items() if k != "type"}
        if branch["type"] in merged["type"] or set(own) & set(merged):
            return
        merged["type"].append(branch["type"])
        merged.update(own)
    if "enum" in merged and "null" in merged["type"]:
        merged["enum"] = [*merged["enum"], None]
    del schema["anyOf"]
    schema.update(merged)


def _tidy(schema: dict[str, Any]) -> None:
    """No generated titles nor null defaults, and an optional unit's ``anyOf`` flat.

    ``Rate | None`` is ``anyOf: [{anyOf: [number, percent]}, null]``; yaml-language-server
    shows a nested ``anyOf`` on hover as `` || `` between empty titles. One level says the same.
    """
    schema.pop("title", None)
    if "default" in schema and schema["default"] is None:
        del schema["default"]  # unset: nothing to write (and no `null` for an editor to insert)
    if isinstance(schema.get("description"), str):  # one paragraph, as written in the source
        schema["description"] = " ".join(schema["description"].split())
    branches = schema.get("anyOf")
    if isinstance(branches, list):
        flat: list[Any] = []
        for branch in branches:
            if isinstance(branch, dict) and set(branch) <= {"anyOf", "description", "examples"}:
                flat += branch.get("anyOf", [])
                for key in ("description", "examples"):
                    if key in branch:
                        schema.setdefault(key, branch[key])
            else:
                flat.append(branch)
        schema["anyOf"] = flat
        _as_one_type(schema)
    for sub in _subschemas(schema):
        _tidy(sub)


def _by_serving_mode(serving: dict[str, Any]) -> None:
    """Offer each mode's own keys (MODE_FIELDS) only when serving.mode allows them.

    A key stays allowed and offered while ``mode`` is not written yet. ``spot: false``
    on a realtime model says nothing and `mlcp validate` lets it be, so the schema does too
    (as a pattern, which an editor does not offer).
    """
    properties = serving["properties"]
    conditions = []
    for mode, names in MODE_FIELDS.items():
        others = [m for m in MODE_FIELDS if m != mode]
        allowed = {name: properties.pop(name) for name in names}
        when_other: dict[str, Any] = {
            "properties": {"mode": {"enum": others}},
            "required": ["mode"],
        }
        then: dict[str, Any] = {}
        if "spot" in names:
            said = "a realtime endpoint runs on demand: spot is only ever false here"
            then["patternProperties"] = {"^spot$": {"const": False, "description": said}}
        conditions.append({"if": when_other, "then": then, "else": {"properties": allowed}})
    serving["allOf"] = conditions
    del serving["additionalProperties"]
    serving["unevaluatedProperties"] = False


def _partial(schema: dict[str, Any], rename: dict[str, str]) -> None:
    """Every key optional (tier defaults hold any part of a spec), references renamed."""
    schema.pop("required", None)
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        schema["$ref"] = "#/$defs/" + rename[ref.removeprefix("#/$defs/")]
    for sub in _subschemas(schema):
        _partial(sub, rename)


def _partial_model(model: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The model schema with no required key: (its root, its definitions), names prefixed."""
    model = copy.deepcopy(model)
    defs = model.pop("$defs")
    rename = {name: PARTIAL + name for name in defs}
    _partial(model, rename)
    for sub in defs.values():
        _partial(sub, rename)
    return model, {rename[name]: sub for name, sub in defs.items()}


def _model_schema() -> dict[str, Any]:
    schema = ModelSpec.model_json_schema(
        by_alias=True, mode="validation", schema_generator=_Generator
    )
    _describe(schema, ModelSpec, _docs(v1))
    _by_serving_mode(schema["$defs"]["Serving"])
    return schema


def _config_schema() -> dict[str, Any]:
    schema = ConfigSpec.model_json_schema(
        by_alias=True, mode="validation", schema_generator=_Generator
    )
    _describe(schema, ConfigSpec, _docs(config))
    root, defs = _partial_model(_model_schema())
    root.pop("description", None)
    defaults = schema["properties"]["defaults"]
    defaults["additionalProperties"] = {
        "$ref": "#/$defs/" + PARTIAL + "ModelSpec",
        "description": "What the specs of this tier get unless they say otherwise: any part "
        "of a model spec (maps merge, lists and values replace).",
    }
    schema["$defs"] = {**schema["$defs"], **defs, PARTIAL + "ModelSpec": root}
    return schema


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a spec kind: "model" or "config"."""
    schema = _model_schema() if kind == "model" else _config_schema()
    _tidy(schema)
    return {"$schema": DRAFT, "$id": SCHEMA_ID.format(name=kind), **schema}


def dumps(schema: dict[str, Any]) -> str:
    return jsonwrite.dumps(schema)


def render(models: Sequence[Model], config: Config) -> list[Artifact]:
    return [
        Artifact("schema/model.v1.json", dumps(json_schema("model"))),
        Artifact("schema/config.v1.json", dumps(json_schema("config"))),
    ]
