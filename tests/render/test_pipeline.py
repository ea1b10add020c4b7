"""The generated DVC pipelines: golden files, what each stage declares, and DVC's own reading.

Regenerate the golden files with `pytest --update-golden` and review the diff.
"""

from __future__ import annotations

import itertools
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from controlplane.render.monitoring.yamlio import loads
from controlplane.render.pipeline import render
from tests.conftest import ROOT
from tests.golden import match_tree
from tests.pipeline.dvcrun import dvc_tool
from tests.render.monitoring_files import EXAMPLES, compiled_examples, write

GOLDEN = ROOT / "tests/golden/pipelines"
ORDER = ["validate", "split", "tune", "train", "evaluate", "gate", "propose"]


@pytest.fixture
def files(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    models, config = compiled_examples(monkeypatch)
    return {a.path.removeprefix("pipelines/"): a.content for a in render(models, config)}


def test_example_pipelines_match_golden(files: dict[str, str], update_golden: bool) -> None:
    match_tree(GOLDEN, files, update_golden)


def _stages(files: dict[str, str], model: str) -> dict[str, Any]:
    stages: dict[str, Any] = loads(files[f"{model}/dvc.yaml"])["stages"]
    return stages


def _outs(stage: dict[str, Any]) -> set[str]:
    entries = [*stage.get("outs", []), *stage.get("metrics", [])]
    return {e if isinstance(e, str) else next(iter(e)) for e in entries}


@pytest.mark.parametrize("model", EXAMPLES)
def test_stages_are_literal_and_chained_in_order(files: dict[str, str], model: str) -> None:
    stages = _stages(files, model)
    assert list(stages) == ORDER
    assert "foreach" not in files[f"{model}/dvc.yaml"]
    for before, after in itertools.pairwise(ORDER):
        # DVC orders stages only by what one reads of another's outputs.
        assert _outs(stages[before]) & set(stages[after]["deps"]), (
            f"{after} does not follow {before}"
        )
    for name, stage in stages.items():
        assert stage["cmd"] == f"mlcp stage {name} --model {model} --specs ../../../specs"
        assert stage["deps"] and stage["params"]


@pytest.mark.parametrize("model", EXAMPLES)
def test_every_declared_param_is_in_params_yaml(files: dict[str, str], model: str) -> None:
    params = loads(files[f"{model}/params.yaml"])
    for stage in _stages(files, model).values():
        for dotted in stage["params"]:
            value = params
            for key in dotted.split("."):
                assert key in value, f"{dotted} is not in params.yaml"
                value = value[key]


@pytest.mark.parametrize("model", EXAMPLES)
def test_every_param_a_stage_reads_is_declared(files: dict[str, str], model: str) -> None:
    # What each stage's code reads (`stage.param("...")`), against its dvc.yaml params: an
    # undeclared one would not rerun the stage when it changes.
    stages = _stages(files, model)
    for name in ORDER:
        source = (ROOT / f"controlplane/pipeline/stages/{name}.py").read_text(encoding="utf-8")
        declared = stages[name].get("params", [])
        for key in re.findall(r'stage\.param\("([^"]+)"\)', source):
            covered = [d for d in declared if key == d or key.startswith(f"{d}.")]
            assert covered, f"{name} reads {key}, which its dvc.yaml params do not declare"


def test_params_say_what_the_fraud_spec_says(files: dict[str, str]) -> None:
    params = loads(files["fraud-detector/params.yaml"])
    # As written in specs/fraud-detector.yaml.
    assert params["data"]["source"] == "s3://acme-data/transactions/"
    assert params["data"]["window_seconds"] == 270 * 86400  # 9mo of 30 days
    assert params["data"]["min_rows"] == 100_000
    assert params["tune"]["trials"] == 50
    assert params["tune"]["timeout_seconds"] == 2 * 3600
    assert params["tune"]["space"] == {
        "learning_rate": {"float": [0.01, 0.3], "log": True},
        "max_depth": {"int": [3, 10], "log": False},
    }
    assert params["gate"] | {"bars": None} == {
        "metric": "f1",
        "min_improvement": 0.02,
        "alpha": 0.05,
        "resamples": 10_000,
        "seed": 0,
        "bars": None,
    }
    # As fraud-detector.yaml writes them: the false-negative rate is the broken bar.
    assert params["gate"]["bars"] == {
        "recall": {"min": 0.85, "broken": False},
        "precision": {"min": 0.6, "broken": False},
        "false_negative_rate": {"max": 0.03, "broken": True},
    }
    assert params["checks"]["psi"]["amount"] == {"warn": 0.15, "critical": 0.3}
    assert params["checks"]["psi"]["country"] == {"warn": 0.1, "critical": 0.25}


def test_the_tuning_study_survives_reruns(files: dict[str, str]) -> None:
    tune = _stages(files, "fraud-detector")["tune"]
    assert tune["outs"] == [{"tuning/study.db": {"cache": False, "persist": True}}]


def test_dvc_reads_the_generated_pipeline(
    files: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dvc = dvc_tool()
    monkeypatch.setenv("DVC_NO_ANALYTICS", "1")
    monkeypatch.setenv("DVC_SITE_CACHE_DIR", str(tmp_path / "site-cache"))
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run([dvc, "init", "-q"], cwd=tmp_path, check=True)
    folder = tmp_path / "build/pipelines/fraud-detector"
    folder.mkdir(parents=True)
    for name in ("dvc.yaml", "params.yaml"):
        (folder / name).write_text(files[f"fraud-detector/{name}"], encoding="utf-8")
    listed = subprocess.run(
        [dvc, "stage", "list", "--name-only"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
    )
    assert listed.stdout.split() == ORDER


def test_a_model_without_retraining_has_no_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    models, config = compiled_examples(monkeypatch)
    assert render([replace(models[0], retraining=None)], config) == []


def test_written_pipelines_are_byte_identical(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    models, config = compiled_examples(monkeypatch)
    first, second = render(models, config), render(list(reversed(models)), config)
    write(first, tmp_path / "a")
    write(second, tmp_path / "b")
    for artifact in first:
        assert (tmp_path / "a" / artifact.path).read_bytes() == (
            tmp_path / "b" / artifact.path
        ).read_bytes()
