"""What a person sees: `mlcp build` counts each model's resources, `mlcp validate` never
loads Pulumi, and a bad time zone in mlcp.yaml is a located diagnostic."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.spec.clirun import run_mlcp


def test_build_prints_resource_counts_per_model(examples: Path, tmp_path: Path) -> None:
    result = run_mlcp(["build", str(examples), "--out", str(tmp_path / "out")])
    assert result.code == 0, result.stderr
    counts = {
        line.split(":")[0].strip(): line
        for line in result.stdout.splitlines()
        if line.startswith("  ") and re.search(r"\b\d+ resources?\b", line)
    }
    assert set(counts) == {"(shared)", "demand-forecast", "fraud-detector", "recommender"}
    resources = json.loads((tmp_path / "out/infra/resources.json").read_text(encoding="utf-8"))
    clouds = [r for r in resources["resources"] if "replace_on" in r]
    for model, line in counts.items():
        owner = None if model == "(shared)" else model
        assert f"{sum(r['model'] == owner for r in clouds)} resources" in line


def test_validate_does_not_load_pulumi() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "controlplane", "validate", "specs/"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "pulumi" not in run.stderr


@pytest.mark.parametrize(
    ("zone", "hint"), [("Mars/Olympus", ""), ("Europe/Pari", "did you mean 'Europe/Paris'?")]
)
def test_an_unknown_time_zone_is_located(examples: Path, zone: str, hint: str) -> None:
    config = examples / "mlcp.yaml"
    text = config.read_text(encoding="utf-8").replace(
        "schedule_timezone: UTC", f"schedule_timezone: {zone}"
    )
    config.write_text(text, encoding="utf-8")
    result = run_mlcp(["validate", str(examples)])
    assert result.code == 1
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "schedule_timezone" in t)
    assert (
        f"mlcp.yaml:{line}:22: error MLCP114: aws.schedule_timezone: unknown time zone '{zone}'"
        in result.stdout
    )
    assert hint in result.stdout
