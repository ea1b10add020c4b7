"""JSON Schemas of spec v1 and mlcp.yaml, for editors (yaml-language-server) and CI."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from controlplane.model import Config, Model
from controlplane.render import Artifact, jsonwrite
from controlplane.spec.config import ConfigSpec
from controlplane.spec.v1 import ModelSpec

SCHEMA_ID = "https://mlcp.dev/schema/{name}.v1.json"


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a spec kind: "model" or "config"."""
    source = ModelSpec if kind == "model" else ConfigSpec
    schema = source.model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID.format(name=kind),
        **schema,
    }


def dumps(schema: dict[str, Any]) -> str:
    return jsonwrite.dumps(schema)


def render(models: Sequence[Model], config: Config) -> list[Artifact]:
    return [
        Artifact("schema/model.v1.json", dumps(json_schema("model"))),
        Artifact("schema/config.v1.json", dumps(json_schema("config"))),
    ]
