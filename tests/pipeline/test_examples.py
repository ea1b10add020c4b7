"""The example project: examples/specs keeps to specs/ except where it must, and each
model's bundled data is fit to train on by its own spec and profile."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from controlplane import pipeline_layout as layout
from controlplane.compile import compile_paths
from controlplane.pipeline.context import Stage
from controlplane.pipeline.stages.validate import validate
from controlplane.render.pipeline import render_model
from tests.conftest import ROOT, SPECS
from tests.render.monitoring_files import EXAMPLES

EXAMPLE_SPECS = ROOT / "examples/specs"
# What examples/specs must change: where the data and the profile are (bundled, local),
# a row floor the bundled data meets, and fewer trials so the demo stays quick.
MAY_DIFFER = {
    "features.profile",
    "retraining.data.source",
    "retraining.data.min_rows",
    "retraining.tuning.trials",
}


def _flat(data: Any, prefix: str = "") -> dict[str, Any]:
    if not isinstance(data, dict):
        return {prefix: data}
    flat: dict[str, Any] = {}
    for key, value in data.items():
        flat.update(_flat(value, f"{prefix}.{key}" if prefix else str(key)))
    return flat


def _load(path: Path) -> dict[str, Any]:
    return _flat(YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8")))


def test_the_same_files_are_in_both_folders() -> None:
    assert sorted(p.name for p in EXAMPLE_SPECS.glob("*.yaml")) == sorted(
        p.name for p in SPECS.glob("*.yaml")
    )


def test_mlcp_yaml_is_the_same() -> None:
    assert (EXAMPLE_SPECS / "mlcp.yaml").read_bytes() == (SPECS / "mlcp.yaml").read_bytes()


@pytest.mark.parametrize("name", EXAMPLES)
def test_examples_differ_from_specs_only_where_they_must(name: str) -> None:
    ours, theirs = _load(EXAMPLE_SPECS / f"{name}.yaml"), _load(SPECS / f"{name}.yaml")
    assert set(ours) == set(theirs)
    assert {key for key in ours if ours[key] != theirs[key]} == MAY_DIFFER
    assert ours["retraining.data.source"] == f"../data/{name}.parquet"
    assert ours["features.profile"] == f"../data/{name}.profile.json"
    # Comments and layout too: the differing values sit on 3 lines (source and min_rows share one).
    lines = zip(
        (EXAMPLE_SPECS / f"{name}.yaml").read_text(encoding="utf-8").splitlines(),
        (SPECS / f"{name}.yaml").read_text(encoding="utf-8").splitlines(),
        strict=True,
    )
    assert sum(a != b for a, b in lines) == 3


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_bundled_data_passes_validation(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compilation = compile_paths([EXAMPLE_SPECS])
    model = next(m for m in compilation.models if m.name == name)
    for artifact in render_model(model, compilation.config):
        if artifact.path.endswith("params.yaml"):
            (tmp_path / "params.yaml").write_text(artifact.content, encoding="utf-8")
    (tmp_path / "data").mkdir()
    (tmp_path / layout.SOURCE).write_bytes((ROOT / f"examples/data/{name}.parquet").read_bytes())
    (tmp_path / "production").mkdir()
    profile = (ROOT / f"examples/data/{name}.profile.json").read_bytes()
    (tmp_path / layout.PRODUCTION_PROFILE).write_bytes(profile)
    monkeypatch.chdir(tmp_path)
    report = validate(Stage(name, EXAMPLE_SPECS))
    assert report["passed"], report["failures"]
    assert report["reference"] == "production profile"
    assert report["rows_in_window"] >= 8000  # examples/specs' min_rows
    assert all(f["status"] == "ok" for f in report["features"].values())
