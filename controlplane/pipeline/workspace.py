"""A retraining workspace: a git repository with DVC, laid out like the project.

`<workspace>/<specs>/` holds the specs, `<workspace>/<package>/` the training
code, `<workspace>/<build.out>/pipelines/<model>/` the generated pipeline and its
data. DVC runs with analytics off and its site cache inside the workspace, and
pushes to a local remote (`.mlcp/remote`) unless another is given, so a run
leaves nothing outside the workspace.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import git

from controlplane.pipeline.context import PipelineError

PRIVATE = ".mlcp"  # the site cache and the default remote; never committed
AUTHOR = ("mlcp", "mlcp@localhost")


def dvc_env(workspace: Path) -> dict[str, str]:
    """The environment of every DVC run: no analytics, the site cache inside the workspace,
    and this Python's `mlcp` first on the PATH for the stage commands."""
    env = dict(os.environ)
    env["DVC_NO_ANALYTICS"] = "1"
    env["DVC_SITE_CACHE_DIR"] = str(workspace.resolve() / PRIVATE / "site-cache")
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def dvc_command() -> list[str]:
    beside = Path(sys.executable).parent / "dvc"
    return [str(beside)] if beside.exists() else ["dvc"]


def run_dvc(workspace: Path, *args: str) -> str:
    result = subprocess.run(
        [*dvc_command(), *args],
        cwd=workspace,
        env=dvc_env(workspace),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise PipelineError(f"dvc {' '.join(args)}: {(result.stderr or result.stdout).strip()}")
    return result.stdout


def open_repo(workspace: Path) -> git.Repo:
    workspace.mkdir(parents=True, exist_ok=True)
    try:
        repo = git.Repo(workspace)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        repo = git.Repo.init(workspace, initial_branch="main")
    with repo.config_writer() as config:  # commits need an author, even on a bare CI runner
        if not config.has_option("user", "name"):
            config.set_value("user", "name", AUTHOR[0])
            config.set_value("user", "email", AUTHOR[1])
    return repo


def init_dvc(workspace: Path, remote: str | None) -> None:
    if not (workspace / ".dvc").is_dir():
        run_dvc(workspace, "init", "--quiet")
    run_dvc(workspace, "config", "core.analytics", "false")
    target = remote or str((workspace / PRIVATE / "remote").resolve())
    run_dvc(workspace, "remote", "add", "--force", "--default", "local", target)
    ignore(workspace, f"/{PRIVATE}/")


def ignore(workspace: Path, pattern: str) -> None:
    """Add a line to the workspace's .gitignore (once). The tuning study stays out of git:
    it is the machine's state for resuming, not a result."""
    path = workspace / ".gitignore"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    if pattern not in lines:
        path.write_text("\n".join([*lines, pattern]) + "\n", encoding="utf-8")


def copy_into(source: Path, target: Path) -> None:
    """Copy a file or folder over its copy in the workspace (nothing when they are the same)."""
    if source.resolve() == target.resolve():
        return
    if source.is_dir():
        shutil.copytree(
            source, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__")
        )
    elif source.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def commit_all(repo: git.Repo, message: str) -> bool:
    """Commit everything git does not ignore; False when there was nothing to commit."""
    repo.git.add(all=True)
    if repo.head.is_valid() and not repo.index.diff("HEAD"):
        return False
    repo.index.commit(message)
    return True
