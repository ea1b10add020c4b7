"""A team's repository in a temporary folder: the example specs, built, committed and
pushed to `origin`, a bare repository beside it (as GitHub would hold it)."""

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


def remote_of(root: Path) -> Path:
    """The bare repository `origin` of the project at `root` (outside its work tree)."""
    return root.parent / f"{root.name}-origin.git"


def keys_of(root: Path) -> Path:
    """The project's routing key folder (outside its work tree, as Alertmanager's would be)."""
    return root.parent / f"{root.name}-keys"


def make_project(root: Path) -> Path:
    """specs/, infra/Pulumi.yaml and build/ committed in a new repository and pushed to
    its `origin`'s main; returns specs/. Routing keys go to `keys_of(root)`."""
    shutil.copytree(SPECS, root / "specs")
    config = root / "specs/mlcp.yaml"
    default = "routing_key_dir: /etc/alertmanager/secrets/pagerduty"
    assert default in config.read_text(encoding="utf-8")
    config.write_text(
        config.read_text(encoding="utf-8").replace(default, f"routing_key_dir: {keys_of(root)}"),
        encoding="utf-8",
    )
    (root / "infra").mkdir()
    (root / "infra/Pulumi.yaml").write_text(PULUMI_YAML, encoding="utf-8")
    result = build([root / "specs"], None, check=False, jobs=1)
    assert result.compilation.ok
    git(root, "init", "--quiet", "--initial-branch=main")
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "--message", "models")
    git(root.parent, "init", "--quiet", "--bare", "--initial-branch=main", str(remote_of(root)))
    git(root, "remote", "add", "origin", str(remote_of(root)))
    git(root, "push", "--quiet", "origin", "main")
    return root / "specs"


def use_secrets_manager(specs: Path, prefix: str = "mlcp/routing-keys/") -> None:
    """Keep the project's routing keys in Secrets Manager (mounted at /etc/alertmanager/keys):
    mlcp.yaml edited, built, committed and pushed."""
    root = specs.parent
    config = specs / "mlcp.yaml"
    line = f"  routing_key_dir: {keys_of(root)}\n"
    block = (
        "  routing_keys:\n    store: aws-secretsmanager\n"
        f"    prefix: {prefix}\n    mount: /etc/alertmanager/keys\n"
    )
    assert line in config.read_text(encoding="utf-8")
    config.write_text(config.read_text(encoding="utf-8").replace(line, block), encoding="utf-8")
    assert build([specs], None, check=False, jobs=1).compilation.ok
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "--message", "routing keys in Secrets Manager")
    git(root, "push", "--quiet", "origin", "main")
