"""`mlcp schema`: a valid JSON Schema that agrees with the validator on what a spec may hold."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, ValidationError
from ruamel.yaml import YAML

from controlplane import units
from controlplane.scaffold import starter_spec
from controlplane.workers import check
from tests.conftest import ROOT, SPECS
from tests.spec.clirun import run_mlcp

FIXTURES = ROOT / "tests" / "fixtures" / "invalid"
EXAMPLES = ["fraud-detector", "demand-forecast", "recommender"]

# Fixtures whose only mistake is structural (MLCP110-115): the schema must reject them too.
STRUCTURAL = [
    "unknown-key-typo",
    "unknown-top-level-key",
    "missing-required-key",
    "missing-section",
    "wrong-type-int",
    "wrong-type-list",
    "wrong-type-mapping",
    "wrong-type-bool",
    "bad-enum-did-you-mean",
    "bad-enum-serving-mode",
    "bad-duration-unit",
    "bad-duration-number",
    "bad-rate",
    "bad-throughput",
    "bad-name-pattern",
    "bad-slack-channel",
    "out-of-range-int",
    "out-of-range-negative-budget",
    "several-mistakes",
    "yaml11-booleans",
    "wrong-type-bool-number",
    "wrong-type-string-number",
    "wrong-type-int-quoted",
    "bad-proxy-name",
    "wrong-type-union-choice",
    "wrong-shape-units",
    "wrong-type-list-of-one",
    "wrong-type-mapping-scalar",
    "wrong-type-psi-percent",
    "bad-name-too-long",
    "wrong-type-stages-percent",
    "missing-required-choice",
]


def load_plain(path: Path) -> Any:
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def model_validator() -> Draft202012Validator:
    result = run_mlcp(["schema"])
    assert result.code == 0
    schema = json.loads(result.stdout)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@pytest.fixture(scope="module")
def config_validator() -> Draft202012Validator:
    result = run_mlcp(["schema", "--kind", "config"])
    assert result.code == 0
    schema = json.loads(result.stdout)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _deepest(error: ValidationError) -> list[Any]:
    """The path of the most specific error under an anyOf (an optional field), else its own."""
    if not error.context:
        return list(error.absolute_path)
    return max((_deepest(sub) for sub in error.context), key=len)


def errors(validator: Draft202012Validator, data: Any) -> list[list[Any]]:
    """Where the schema finds a problem: the path of each error, in order."""
    return [_deepest(e) for e in validator.iter_errors(data)]


def test_schemas_declare_draft_2020_12_and_an_id() -> None:
    for kind in ("model", "config"):
        schema = json.loads(run_mlcp(["schema", "--kind", kind]).stdout)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["$id"] == f"https://mlcp.dev/schema/{kind}.v1.json"
        assert schema["additionalProperties"] is False


@pytest.mark.parametrize("name", EXAMPLES)
def test_examples_are_valid(model_validator: Draft202012Validator, name: str) -> None:
    assert errors(model_validator, load_plain(SPECS / f"{name}.yaml")) == []


def test_unknown_key_is_rejected(model_validator: Draft202012Validator) -> None:
    data = load_plain(SPECS / "fraud-detector.yaml")
    data["serving"]["instance_typ"] = "ml.c5.xlarge"
    assert errors(model_validator, data) == [["serving"]]


def test_wrong_enum_is_rejected(model_validator: Draft202012Validator) -> None:
    data = load_plain(SPECS / "recommender.yaml")
    data["metadata"]["tier"] = "critcal"
    assert errors(model_validator, data) == [["metadata", "tier"]]


def test_wrong_unit_is_rejected(model_validator: Draft202012Validator) -> None:
    data = load_plain(SPECS / "demand-forecast.yaml")
    data["serving"]["checkpoint"]["every"] = "10 minutes"
    # checkpoint is declared for batch models only (an if/else on serving.mode): a value
    # that fails there also leaves the key unevaluated, which JSON Schema reports on its own
    found = errors(model_validator, data)
    assert sorted(found) == [["serving"], ["serving", "checkpoint", "every"]]


def test_missing_required_key_is_rejected(model_validator: Draft202012Validator) -> None:
    data = load_plain(SPECS / "fraud-detector.yaml")
    del data["serving"]["artifact"]["image"]
    assert errors(model_validator, data) == [["serving", "artifact"]]


def test_config_example_is_valid(config_validator: Draft202012Validator) -> None:
    assert errors(config_validator, load_plain(SPECS / "mlcp.yaml")) == []


def test_config_unknown_key_and_wrong_enum_are_rejected(
    config_validator: Draft202012Validator,
) -> None:
    base = load_plain(SPECS / "mlcp.yaml")
    unknown = copy.deepcopy(base)
    unknown["policies"]["all"]["max_psi"] = 0.3
    assert errors(config_validator, unknown) == [["policies", "all"]]
    enum = copy.deepcopy(base)
    enum["policies"]["critical"]["urgency"] = "urgent"
    assert errors(config_validator, enum) == [["policies", "critical", "urgency"]]
    tier = copy.deepcopy(base)
    tier["defaults"]["platinum"] = {}
    assert errors(config_validator, tier) != []


def test_a_model_spec_is_not_a_config(config_validator: Draft202012Validator) -> None:
    assert errors(config_validator, load_plain(SPECS / "fraud-detector.yaml")) != []


@pytest.mark.parametrize("task", ["classification", "regression", "ranking"])
@pytest.mark.parametrize("mode", ["realtime", "batch"])
def test_starter_specs_are_valid(
    model_validator: Draft202012Validator, task: str, mode: str
) -> None:
    text = starter_spec("starter-model", task, mode, "standard", "ml-team")
    data = YAML(typ="safe", pure=True).load(text)
    assert errors(model_validator, data) == []


@pytest.mark.parametrize("case", STRUCTURAL)
def test_schema_rejects_structural_fixtures(
    model_validator: Draft202012Validator, case: str
) -> None:
    assert errors(model_validator, load_plain(FIXTURES / f"{case}.yaml")) != []


# Semantic rules the schema also expresses: keys of the other serving mode (an if/else).
SCHEMA_EXPRESSES = {"mlcp226-batch-fields-on-realtime"}
SEMANTIC = sorted(p.stem for p in FIXTURES.glob("mlcp[23]*.yaml") if p.stem not in SCHEMA_EXPRESSES)


@pytest.mark.parametrize("case", SEMANTIC)
def test_schema_accepts_what_only_semantic_rules_reject(
    model_validator: Draft202012Validator, case: str
) -> None:
    """The schema is never stricter than the validator: a structurally valid spec passes it."""
    assert errors(model_validator, load_plain(FIXTURES / f"{case}.yaml")) == []


@pytest.mark.parametrize(
    ("text", "pattern", "parse"),
    [
        ("150ms", units.DURATION_PATTERN, units.parse_duration),
        ("9mo", units.DURATION_PATTERN, units.parse_duration),
        ("1.5h", units.DURATION_PATTERN, units.parse_duration),
        ("2 h", units.DURATION_PATTERN, units.parse_duration),
        (" 2h", units.DURATION_PATTERN, units.parse_duration),
        ("2H", units.DURATION_PATTERN, units.parse_duration),
        ("0.5%", units.PERCENT_PATTERN, units.parse_rate),
        ("5 %", units.PERCENT_PATTERN, units.parse_rate),
        ("50/s", units.THROUGHPUT_PATTERN, units.parse_throughput),
        ("50 / s", units.THROUGHPUT_PATTERN, units.parse_throughput),
    ],
)
def test_schema_unit_patterns_agree_with_the_parsers(text: str, pattern: str, parse: Any) -> None:
    """An editor using the schema must accept exactly the unit strings `mlcp validate` accepts."""
    validator = Draft202012Validator({"type": "string", "pattern": pattern})
    try:
        parse(text)
        parsed = True
    except ValueError:
        parsed = False
    assert validator.is_valid(text) == parsed, f"schema and parser disagree on {text!r}"


def test_built_schema_files_match_the_command(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_mlcp(["build", str(SPECS), "--out", str(out)]).code == 0
    for kind in ("model", "config"):
        written = (out / "schema" / f"{kind}.v1.json").read_text(encoding="utf-8")
        assert written == run_mlcp(["schema", "--kind", kind]).stdout


@pytest.mark.parametrize(
    ("example", "key", "value", "rejected"),
    [
        # MLCP226: schedule, checkpoint and a true spot are batch keys, batching a realtime key
        ("fraud-detector", "schedule", "0 3 * * *", True),
        ("fraud-detector", "checkpoint", {"every": "10m"}, True),
        ("fraud-detector", "spot", True, True),
        ("fraud-detector", "spot", False, False),  # says nothing; mlcp validate accepts it
        ("demand-forecast", "batching", {"max_batch_size": 8, "max_delay": "5ms"}, True),
        ("recommender", "batching", {"max_batch_size": 8, "max_delay": "5ms"}, False),
    ],
)
def test_keys_of_the_other_serving_mode_are_rejected(
    model_validator: Draft202012Validator,
    tmp_path: Path,
    example: str,
    key: str,
    value: Any,
    rejected: bool,
) -> None:
    """The schema and `mlcp validate` (MLCP226) agree on which mode a key belongs to."""
    data = load_plain(SPECS / f"{example}.yaml")
    data["serving"][key] = value
    found = errors(model_validator, data)
    assert bool(found) == rejected
    assert all(path[0] == "serving" for path in found)
    specs = tmp_path / "specs"
    shutil.copytree(SPECS, specs)
    YAML(typ="safe", pure=True).dump(data, specs / f"{example}.yaml")
    codes = {d.code for d in check([specs], jobs=1).diagnostics}
    assert ("MLCP226" in codes) == rejected


def test_mode_keys_are_allowed_while_the_mode_is_not_written(
    model_validator: Draft202012Validator,
) -> None:
    """A spec being written offers every key until serving.mode says which apply."""
    data = load_plain(SPECS / "demand-forecast.yaml")
    del data["serving"]["mode"]
    data["serving"]["batching"] = {"max_batch_size": 8, "max_delay": "5ms"}
    assert errors(model_validator, data) == [["serving"]]  # only: mode is required


def _properties(schema: dict[str, Any], path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every property schema declared anywhere in a schema, with where it is declared."""
    found: list[tuple[str, dict[str, Any]]] = []
    for key, value in schema.items():
        if key in ("properties", "patternProperties") and isinstance(value, dict):
            for name, sub in value.items():
                if isinstance(sub, dict) and sub:
                    found.append((f"{path}.{name}", sub))
        if isinstance(value, dict):
            found += _properties(value, f"{path}/{key}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    found += _properties(item, f"{path}/{key}[{index}]")
    return found


@pytest.mark.parametrize("kind", ["model", "config"])
def test_every_default_is_a_value_the_schema_accepts(kind: str) -> None:
    """Defaults are values as a person writes them (`1w`), which an editor inserts as is."""
    schema = json.loads(run_mlcp(["schema", "--kind", kind]).stdout)
    refused = []
    for where, sub in _properties(schema):
        if "default" not in sub:
            continue
        alone = {**sub, "$defs": schema["$defs"]}
        if not Draft202012Validator(alone).is_valid(sub["default"]):
            refused.append(f"{where}: {sub['default']!r}")
        if ": null" in json.dumps(sub["default"]):  # unset is not written, not `null`
            refused.append(f"{where}: {sub['default']!r}")
    assert refused == []


@pytest.mark.parametrize("kind", ["model", "config"])
def test_every_field_has_a_description_and_no_title(kind: str) -> None:
    """An editor shows a key's title and description: one written description, no title."""
    text = run_mlcp(["schema", "--kind", kind]).stdout
    schema = json.loads(text)
    bare = [
        where
        for where, sub in _properties(schema)
        if not sub.get("description") and "/if" not in where  # the condition on serving.mode
    ]
    assert bare == []
    assert '"title"' not in text


def test_a_field_docstring_is_its_description_over_its_unit_type() -> None:
    """`sla.error_rate` is a Rate, whose own schema explains rates; the field says what it is."""
    schema = json.loads(run_mlcp(["schema"]).stdout)
    error_rate = schema["$defs"]["Sla"]["properties"]["error_rate"]
    assert error_rate["description"] == (
        "Largest share of requests that may fail (`0.1%`); its error budget drives the "
        "burn-rate alerts."
    )
    alias = schema["$defs"]["SearchParam"]["properties"]["int"]  # field int_, written `int`
    assert alias["description"] == "Integer range searched, `[low, high]` (`[3, 10]`)."
