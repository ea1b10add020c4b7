"""Every spec path the plan names exists in the spec's JSON Schema (`mlcp schema`), which
pydantic derives from `controlplane.spec.v1`, not from the model's annotations."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import pytest

from controlplane.plan import meaning as plan_meaning
from controlplane.plan.fields import every_field
from tests.spec.clirun import run_mlcp

FEATURE_LISTS = ("numeric", "categorical")  # the spec's lists a feature is named in


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    run = run_mlcp(["schema"])
    assert run.code == 0, run.stderr
    found: dict[str, Any] = json.loads(run.stdout)
    return found


def resolves(schema: dict[str, Any], path: str) -> bool:
    """Whether `a.b[name].c` names a place in the schema: `[name]` is an item of an array
    or a value of a map."""
    nodes = [schema]
    for part in re.findall(r"[^.\[\]]+|\[[^\]]*\]", path):
        nodes = [n for node in nodes for n in _step(schema, node, part)]
        if not nodes:
            return False
    return True


def _step(root: dict[str, Any], node: dict[str, Any], part: str) -> list[dict[str, Any]]:
    for branch in _branches(root, node):
        if part.startswith("["):
            items = branch.get("items") or branch.get("additionalProperties")
            if isinstance(items, dict):
                return [items]
        elif part in branch.get("properties", {}):
            return [branch["properties"][part]]
    return []


def _branches(root: dict[str, Any], node: dict[str, Any]) -> list[dict[str, Any]]:
    if "$ref" in node:
        return _branches(root, root["$defs"][node["$ref"].rsplit("/", 1)[-1]])
    alternatives = node.get("anyOf", node.get("oneOf"))
    if alternatives:
        return [b for a in alternatives for b in _branches(root, a)]
    # Keys that only one serving mode takes live in if/then/else under allOf.
    conditional = [
        branch
        for part in node.get("allOf", [])
        for key in ("then", "else")
        if isinstance(branch := part.get(key), dict)
    ]
    return [node, *(b for c in conditional for b in _branches(root, c))]


def test_the_resolver_refuses_a_path_no_spec_has(schema: dict[str, Any]) -> None:
    assert resolves(schema, "drift.null_rate.max_ratio_to_training")
    assert resolves(schema, "features.overrides[amount].psi.critical")
    assert not resolves(schema, "drift.null_max_ratio_to_training")
    assert not resolves(schema, "serving.instances_min")


def test_every_model_field_names_a_spec_path_in_the_schema(schema: dict[str, Any]) -> None:
    wrong = []
    for model_path, spec_path, meaning in every_field():
        if meaning.derived:
            continue
        paths = (
            [spec_path.format(kind=k) for k in FEATURE_LISTS] if "{" in spec_path else [spec_path]
        )
        wrong += [(model_path, p) for p in paths if not resolves(schema, p.replace("*", "x"))]
    assert wrong == []


def test_derived_fields_are_those_no_spec_writes() -> None:
    derived = {path for path, _, meaning in every_field() if meaning.derived}
    assert derived == {
        "source", "spec_sha256", "serving.gpu", "retraining.schedule", "retraining.gpu",
    }  # fmt: skip


def test_paths_meaning_reads_are_spec_paths(schema: dict[str, Any]) -> None:
    # Every `path == "..."` in meaning.py, and the removals it calls risks.
    tree = ast.parse(Path(plan_meaning.__file__).read_text(encoding="utf-8"))
    compared = [
        node.comparators[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Compare)
        and isinstance(node.left, ast.Name)
        and node.left.id == "path"
        and isinstance(node.comparators[0], ast.Constant)
    ]
    assert "serving.instances.min" in compared
    for path in [*compared, *plan_meaning.PROTECTIONS]:
        assert resolves(schema, path.replace("*", "x")), path
