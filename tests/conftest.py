from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite golden and .expected files from the current output (review the diff)",
    )


@pytest.fixture(autouse=True)
def not_on_a_github_hosted_runner(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite behaves alike on any machine: `mlcp apply` refuses a routing key folder
    where GitHub Actions says the runner is GitHub-hosted (RUNNER_ENVIRONMENT), as ci.yml's
    runners are; the tests that want that say so themselves."""
    monkeypatch.delenv("RUNNER_ENVIRONMENT", raising=False)


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture
def fake_aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Credentials moto accepts, so boto3 never looks for real ones (or a profile)."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)


def require_tool(name: str) -> str:
    """The path of an external program; under CI its absence fails the test, never skips it."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is required under CI (install it in .ci/run)")
        pytest.skip(f"{name} is not installed")
    return path


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    """A private copy of the example specs folder, safe to modify."""
    target = tmp_path / "specs"
    shutil.copytree(SPECS, target)
    return target
