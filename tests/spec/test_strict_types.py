"""`mlcp validate` and the JSON Schema accept and reject the same value in every kind of field.

No silent coercion: `yes`, `'false'` and `1` are not booleans, `"3"` is not a number,
`2.3` is not text. For each kind of scalar field, the example spec is given each
value in turn; the CLI's verdict (a structural MLCP1xx error or not) must be the
schema's (errors or not). Semantic rules (MLCP2xx-4xx) may still object to a value
that both accept: that is not a type question.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from ruamel.yaml import YAML

from tests.conftest import SPECS
from tests.spec.clirun import run_mlcp
from tests.spec.edits import with_value

BASE = "fraud-detector.yaml"

# One field of each kind, by its path in the example spec.
FIELDS: dict[str, tuple[Any, ...]] = {
    "boolean": ("quality", "metrics", 0, "broken"),
    "whole number in a range": ("serving", "instances", "max"),
    "whole number in a list": ("rollout", "stages", 0),
    "positive number": ("drift", "psi", "critical"),
    "number in (0, 1)": ("retraining", "gate", "alpha"),
    "text": ("serving", "artifact", "version"),
    "text with a pattern": ("oncall", "slack"),
    "choice": ("metadata", "tier"),
    "rate": ("sla", "error_rate"),
    "bound": ("quality", "metrics", 0, "max"),
    "duration": ("rollout", "bake_time"),
    "throughput": ("sla", "min_throughput"),
    "optional text": ("features", "profile"),
}
VALUES: list[Any] = [
    True,
    False,
    "true",
    "false",
    "True",
    "yes",
    "no",
    "on",
    "off",
    "y",
    0,
    1,
    2,
    2.0,
    2.5,
    -1,
    0.05,
    2.3,
    1e20,
    "3",
    "2.0",
    "0.5",
    "5%",
    "0.5%",
    "2h",
    "50/s",
    "#ml-oncall",
    "critical",
    "1.4.0",
    "",
    None,
    [1],
    {"a": 1},
]
CASES = [(kind, value) for kind in FIELDS for value in VALUES]
STRUCTURAL = re.compile(r"^(?P<file>[^:]+):\d+:\d+: error MLCP1\d\d: ", re.MULTILINE)


def _case_id(kind: str, value: Any) -> str:
    return f"{kind}={json.dumps(value)}"


def _variants(base: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for i, (kind, value) in enumerate(CASES):
        yield f"case{i:04d}.yaml", with_value(base, FIELDS[kind], value)


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[bool, bool]]:
    """For each case file: (the CLI refuses it, the schema refuses it).

    Every variant is written as JSON (a subset of YAML 1.2, so what the loader reads is
    exactly the data the schema sees) and checked by one `mlcp validate` run.
    """
    base = YAML(typ="safe", pure=True).load((SPECS / BASE).read_text(encoding="utf-8"))
    folder: Path = tmp_path_factory.mktemp("strict")
    shutil.copy(SPECS / "mlcp.yaml", folder / "mlcp.yaml")
    schema = json.loads(run_mlcp(["schema"]).stdout)
    validator = Draft202012Validator(schema)
    by_schema: dict[str, bool] = {}
    for name, data in _variants(base):
        (folder / name).write_text(json.dumps(data), encoding="utf-8")
        by_schema[name] = not validator.is_valid(data)
    output = run_mlcp(["validate", str(folder)]).stdout
    refused = {Path(m.group("file")).name for m in STRUCTURAL.finditer(output)}
    return {name: (name in refused, by_schema[name]) for name in by_schema}


def _verdict(verdicts: dict[str, tuple[bool, bool]], kind: str, value: Any) -> tuple[bool, bool]:
    """The verdicts of one case; found by JSON text, since True == 1 and 2.0 == 2 in Python."""
    index = next(
        i for i, (k, v) in enumerate(CASES) if k == kind and json.dumps(v) == json.dumps(value)
    )
    return verdicts[f"case{index:04d}.yaml"]


@pytest.mark.parametrize(
    ("kind", "value"), CASES, ids=[_case_id(kind, value) for kind, value in CASES]
)
def test_cli_and_schema_agree(
    verdicts: dict[str, tuple[bool, bool]], kind: str, value: Any
) -> None:
    cli_refuses, schema_refuses = _verdict(verdicts, kind, value)
    assert cli_refuses == schema_refuses, (
        f"{kind} = {value!r}: mlcp validate {'refuses' if cli_refuses else 'accepts'}, "
        f"the schema {'refuses' if schema_refuses else 'accepts'}"
    )


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("boolean", "yes"),
        ("boolean", "no"),
        ("boolean", "on"),
        ("boolean", "false"),
        ("boolean", 1),
        ("boolean", 0),
        ("whole number in a range", "3"),
        ("whole number in a range", 2.5),
        ("whole number in a range", True),
        ("positive number", "0.5"),
        ("positive number", True),
        ("rate", True),
        ("text", 2.3),
        ("text", 2),
        ("text", False),
    ],
)
def test_lax_coercions_are_refused(
    verdicts: dict[str, tuple[bool, bool]], kind: str, value: Any
) -> None:
    """What pydantic's lax mode would coerce is an error: these values are not their types."""
    assert _verdict(verdicts, kind, value) == (True, True)


@pytest.mark.parametrize("value", [2, 2.0, 1e20])
def test_a_whole_float_is_a_whole_number(
    verdicts: dict[str, tuple[bool, bool]], value: float
) -> None:
    """The one documented relaxation: 2.0 is the integer 2, in the CLI as in JSON Schema."""
    expected = (value > 100, value > 100)  # serving.instances.max is at most 100
    assert _verdict(verdicts, "whole number in a range", value) == expected


CONFIG_FIELDS: dict[str, tuple[Any, ...]] = {
    "boolean": ("policies", "critical", "require_broken_metric"),
    "whole number": ("policies", "critical", "min_instances"),
    "positive number": ("policies", "all", "max_psi_critical"),
    "text": ("pagerduty", "service_prefix"),
}
CONFIG_CASES = [
    (kind, value)
    for kind in CONFIG_FIELDS
    for value in [True, "yes", "on", "true", 1, 2, 2.0, 2.5, "2", 0.3, "0.3", "ml-"]
]


@pytest.mark.parametrize(
    ("kind", "value"),
    CONFIG_CASES,
    ids=[_case_id(kind, value) for kind, value in CONFIG_CASES],
)
def test_cli_and_schema_agree_on_mlcp_yaml(tmp_path: Path, kind: str, value: Any) -> None:
    """mlcp.yaml is held to the same standard: `require_broken_metric: yes` is not true."""
    config = YAML(typ="safe", pure=True).load((SPECS / "mlcp.yaml").read_text(encoding="utf-8"))
    changed = with_value(config, CONFIG_FIELDS[kind], value)
    (tmp_path / "mlcp.yaml").write_text(json.dumps(changed), encoding="utf-8")
    shutil.copy(SPECS / BASE, tmp_path / BASE)
    schema = json.loads(run_mlcp(["schema", "--kind", "config"]).stdout)
    schema_refuses = not Draft202012Validator(schema).is_valid(changed)
    output = run_mlcp(["validate", str(tmp_path)]).stdout
    cli_refuses = any(
        Path(m.group("file")).name == "mlcp.yaml" for m in STRUCTURAL.finditer(output)
    )
    assert cli_refuses == schema_refuses, output


def test_a_range_named_int_or_float_is_not_taken_for_a_union_member() -> None:
    # `int` and `float` are a search space's keys here, not pydantic's union tags: each
    # wrong value is its own error, at its own place.
    from controlplane.compile import compile_sources
    from tests.memory import edited, example_sources

    text = edited(
        "fraud-detector.yaml", "max_depth: {int: [3, 10]}", "max_depth: {int: a, float: b}"
    )
    specs, config = example_sources(fraud_detector=text)
    found = [
        (d.line, d.code, d.message)
        for d in compile_sources(specs, config).diagnostics
        if d.file.endswith("fraud-detector.yaml")
    ]
    assert found == [
        (60, "MLCP112", "retraining.tuning.space.max_depth.int: expected a list, got the text 'a'"),
        (
            60,
            "MLCP112",
            "retraining.tuning.space.max_depth.float: expected a list, got the text 'b'",
        ),
    ]
