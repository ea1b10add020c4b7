"""`mlcp apply` as a real process on a machine without the Pulumi CLI: one line, exit 2."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.apply.project import make_project
from tests.conftest import ROOT, require_tool


def test_apply_without_the_pulumi_cli_says_how_to_install_it(tmp_path: Path) -> None:
    specs = make_project(tmp_path / "repo")
    tools = tmp_path / "bin"  # a PATH that has git and nothing else: no pulumi, wherever run
    tools.mkdir()
    (tools / "git").symlink_to(require_tool("git"))
    env = {
        **os.environ,
        "PATH": str(tools),
        "PYTHONPATH": str(ROOT),
        "PAGERDUTY_TOKEN": "pd-token-123",
    }
    done = subprocess.run(
        [sys.executable, "-m", "controlplane", "apply", "--stack", "dev"],
        cwd=specs.parent,
        env=env,
        capture_output=True,
        text=True,
    )
    assert shutil.which("pulumi", path=str(tools)) is None
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "mlcp apply: the Pulumi CLI is not installed: install it with "
        "`curl -fsSL https://get.pulumi.com | sh` "
        "(or see https://www.pulumi.com/docs/iac/download-install/; in GitHub Actions, "
        "pulumi/actions), then run mlcp apply again"
    ]
    lock = specs.parent / ".git/mlcp-apply.lock"
    assert lock.read_text() == ""  # the lock was taken and released
