"""A team's repository in a temporary folder: the example specs, built and committed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from controlplane.build import build
from tests.conftest import SPECS

PULUMI_YAML = "name: mlcp-infra\nruntime: python\n"


def git(root: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=Team", "-c", "user.email=team@example.com", *args]
    done = subprocess.run(command, cwd=root, check=True, capture_output=True, text=True)
    return done.stdout


def make_project(root: Path) -> Path:
    """specs/, infra/Pulumi.yaml and build/ committed in a new repository; returns specs/."""
    shutil.copytree(SPECS, root / "specs")
    (root / "infra").mkdir()
    (root / "infra/Pulumi.yaml").write_text(PULUMI_YAML, encoding="utf-8")
    result = build([root / "specs"], None, check=False, jobs=1)
    assert result.compilation.ok
    git(root, "init", "--quiet", "--initial-branch=main")
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "--message", "models")
    return root / "specs"
