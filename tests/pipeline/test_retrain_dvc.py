"""The generated pipeline under real `dvc repro`: good data end to end, then nothing to redo;
the proposal's commit changes only the intended lines of the spec."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import git
import pytest

from controlplane.compile import compile_sources
from controlplane.pipeline import layout
from controlplane.pipeline.retrain import run
from controlplane.sources import Source
from tests.pipeline.project import pipeline_folder

ORDER = ["validate", "split", "tune", "train", "evaluate", "gate", "propose"]


@pytest.fixture(scope="module")
def ran(prepared: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    workspace = tmp_path_factory.mktemp("ran") / "workspace"
    shutil.copytree(prepared, workspace, symlinks=True)
    stages, skipped, _ = run(workspace, pipeline_folder(workspace), None)
    assert skipped == []
    return workspace, stages


def _json(workspace: Path, name: str) -> Any:
    return json.loads((pipeline_folder(workspace) / name).read_text(encoding="utf-8"))


def test_every_stage_runs_in_order_and_the_gate_decides(ran: tuple[Path, list[str]]) -> None:
    workspace, stages = ran
    assert stages == ORDER
    gate = _json(workspace, layout.GATE)
    # No production model in the workspace: the first run is judged on the spec's bars.
    assert gate["first_run"] is True and gate["production"] is None
    assert set(gate["bars"]) == {"recall", "precision", "false_negative_rate"}
    assert gate["decision"] == ("promote" if gate["passed"] else "reject")
    assert gate["n"] == round(_rows_in_window(workspace) * 0.2)


def _rows_in_window(workspace: Path) -> int:
    return int(_json(workspace, layout.VALIDATION)["rows_in_window"])


def test_a_second_repro_does_nothing(ran: tuple[Path, list[str]]) -> None:
    workspace, _ = ran
    stages, skipped, _ = run(workspace, pipeline_folder(workspace), None)
    assert stages == []
    assert skipped == ORDER


def test_the_held_out_set_is_the_most_recent_data(ran: tuple[Path, list[str]]) -> None:
    import pandas as pd

    folder = pipeline_folder(ran[0])
    train, valid, test = (
        pd.read_parquet(folder / p, columns=["timestamp"])["timestamp"]
        for p in (layout.TRAIN, layout.VALID, layout.TEST)
    )
    assert train.max() <= valid.min() and valid.max() <= test.min()


def test_the_proposal_changes_only_the_candidate_lines(ran: tuple[Path, list[str]]) -> None:
    workspace, _ = ran
    proposal = _json(workspace, layout.PROPOSAL)
    if not proposal["proposed"]:
        pytest.fail(f"the example candidate should pass its bars: {proposal['reason']}")
    repo = git.Repo(workspace)
    commit = repo.commit(proposal["branch"])
    assert commit.hexsha == proposal["commit"]
    diff = commit.parents[0].diff(commit, create_patch=True)
    assert [d.b_path for d in diff] == ["specs/fraud-detector.yaml"]
    changed = [
        line
        for line in diff[0].diff.decode("utf-8").splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    # examples/specs/fraud-detector.yaml rolls out 1.5.0 in shadow; the next candidate is 1.6.0.
    assert changed == [
        "-    version: 1.5.0",
        "-    image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/fraud-detector:1.5.0",
        "-    model_data: s3://acme-models/fraud-detector/1.5.0/model.tar.gz",
        "+    version: 1.6.0",
        "+    image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/fraud-detector:1.6.0",
        "+    model_data: s3://acme-models/fraud-detector/1.6.0/model.tar.gz",
    ]
    assert "gate.json" in commit.message and "Data validation: passed" in commit.message
    # The working tree and the checked-out branch are untouched.
    assert repo.active_branch.name == "main"
    assert "version: 1.5.0" in (workspace / "specs/fraud-detector.yaml").read_text(encoding="utf-8")


def test_the_proposed_spec_loads_and_validates(ran: tuple[Path, list[str]]) -> None:
    workspace, _ = ran
    repo = git.Repo(workspace)
    branch = _json(workspace, layout.PROPOSAL)["branch"]
    tree = repo.commit(branch).tree
    spec = Source("specs/fraud-detector.yaml", tree["specs/fraud-detector.yaml"].data_stream.read())
    config = Source("specs/mlcp.yaml", tree["specs/mlcp.yaml"].data_stream.read())
    result = compile_sources([spec], config)
    assert result.ok, result.diagnostics
    rollout = result.compiled[0].model.rollout
    assert rollout.state == "shadow"
    assert rollout.candidate is not None and rollout.candidate.version == "1.6.0"
