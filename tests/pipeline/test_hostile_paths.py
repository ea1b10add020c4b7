"""A specs folder whose name is shell syntax reaches DVC's commands as one quoted word:
the real `dvc repro` runs the stage on that folder and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from controlplane import pipeline_layout as layout
from controlplane.pipeline import workspace
from controlplane.pipeline.retrain import prepare
from tests.pipeline.dvcrun import dvc_tool
from tests.pipeline.project import MODEL, small_project

HOSTILE = ["a;touch PWNED;b", "it's my specs $(touch PWNED)", 'say "hi" `touch PWNED`']


@pytest.mark.parametrize("folder", HOSTILE)
def test_a_hostile_specs_folder_runs_the_stage_and_nothing_else(
    tmp_path: Path, folder: str
) -> None:
    dvc_tool()
    project = tmp_path / "project"
    specs = small_project(project)
    hostile = specs.rename(project / folder)
    ws = tmp_path / "workspace"
    _, pipeline = prepare(MODEL, hostile, ws, remote=None, production=None)
    stage = f"{(pipeline / 'dvc.yaml').relative_to(ws).as_posix()}:validate"
    workspace.run_dvc(ws, "repro", "--single-item", stage)
    assert (pipeline / layout.VALIDATION).is_file()  # the stage ran, on the hostile folder
    assert sorted(p.name for p in tmp_path.rglob("PWNED*")) == []
