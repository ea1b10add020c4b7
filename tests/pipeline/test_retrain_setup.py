"""A retraining workspace whose inputs cannot be fetched: one line naming the location, and
nothing left behind (no `.git`, `.dvc` or `build/` for the next run to trip over)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pipeline.project import MODEL, small_project
from tests.spec.clirun import run_mlcp

STARTER_SOURCE = "s3://TODO/fraud-detector/training/"  # what `mlcp new` writes


def _with_source(specs: Path, source: str) -> None:
    spec = specs / f"{MODEL}.yaml"
    text = spec.read_text(encoding="utf-8")
    old = "source: ../data/fraud-detector.parquet"
    assert text.count(old) == 1
    spec.write_text(text.replace(old, f'source: "{source}"'), encoding="utf-8")


@pytest.fixture
def no_aws_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """boto3 as on a laptop that never ran `aws configure`: no variables, files or IMDS."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


def test_s3_data_without_credentials_is_one_line_and_no_workspace(
    tmp_path: Path, no_aws_credentials: None
) -> None:
    specs = small_project(tmp_path / "project")
    _with_source(specs, STARTER_SOURCE)
    workspace = tmp_path / "workspace"
    result = run_mlcp(["retrain", MODEL, "--specs", str(specs), "--workspace", str(workspace)])
    assert (result.code, result.stdout) == (2, "")
    assert result.stderr == (
        f"mlcp retrain: {STARTER_SOURCE}: no AWS credentials to read it"
        " (configure them, e.g. with AWS_PROFILE, or use a local path)\n"
    )
    assert not workspace.exists()


def test_missing_local_data_leaves_an_existing_empty_workspace_empty(tmp_path: Path) -> None:
    specs = small_project(tmp_path / "project")
    _with_source(specs, "../data/no-such.parquet")
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    result = run_mlcp(["retrain", MODEL, "--specs", str(specs), "--workspace", str(workspace)])
    missing = (tmp_path / "project" / "data" / "no-such.parquet").as_posix()
    assert (result.code, result.stderr) == (2, f"mlcp retrain: {missing}: no such file or folder\n")
    assert list(workspace.iterdir()) == []


def test_an_output_folder_outside_the_project_writes_nothing_there(tmp_path: Path) -> None:
    """build.out leaving the project (MLCP499) stops the setup before any pipeline is written."""
    specs = small_project(tmp_path / "project")
    config = specs / "mlcp.yaml"
    text = config.read_text(encoding="utf-8")
    assert text.count("build:\n  out: build\n") == 1
    config.write_text(
        text.replace("build:\n  out: build\n", "build:\n  out: ../../elsewhere\n"),
        encoding="utf-8",
    )
    workspace = tmp_path / "workspace"
    result = run_mlcp(["retrain", MODEL, "--specs", str(specs), "--workspace", str(workspace)])
    assert result.code == 2
    assert result.stderr == (
        f"mlcp retrain: {MODEL}: build.out '../../elsewhere' goes up with '..': the output"
        " folder lies inside the project (run `mlcp validate`)\n"
    )
    assert not (tmp_path / "elsewhere").exists()
    assert not workspace.exists()
