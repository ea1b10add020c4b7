from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from controlplane.pipeline.retrain import prepare
from tests.pipeline.dvcrun import dvc_tool
from tests.pipeline.project import MODEL, small_project


@pytest.fixture(scope="session")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace prepared once (git, DVC, specs, code, data); copy it before running in it."""
    dvc_tool()  # under CI a missing DVC fails here; elsewhere it skips
    root = tmp_path_factory.mktemp("prepared")
    specs = small_project(root / "project")
    prepare(MODEL, specs, root / "workspace", remote=None, production=None)
    return root / "workspace"


@pytest.fixture
def workspace(prepared: Path, tmp_path: Path) -> Path:
    """A private copy of the prepared workspace (its local DVC remote path is absolute, so the
    copy pushes to the original's remote; the tests that use it do not push)."""
    target = tmp_path / "workspace"
    shutil.copytree(prepared, target, symlinks=True)
    return target
