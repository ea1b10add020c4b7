"""One commit that changes one file, checked with the git command line."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import git
import pytest

from controlplane.gitwrite import LinkRefused, commit_file
from controlplane.rollout.gitops import commit_on_branch


def run_git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout


def repo_with_files(root: Path) -> git.Repo:
    (root / "specs").mkdir()
    (root / "specs/a.yaml").write_text("state: stable\n", encoding="utf-8")
    (root / "specs/b.yaml").write_text("state: stable\n", encoding="utf-8")
    (root / "run.sh").write_text("#!/bin/sh\n", encoding="utf-8")
    os.chmod(root / "run.sh", 0o755)
    repo = git.Repo.init(root, initial_branch="main")
    with repo.config_writer() as config:
        config.set_value("user", "name", "Spec Author")
        config.set_value("user", "email", "author@example.com")
    repo.git.add(".")
    repo.git.commit("-m", "specs")
    return repo


def test_a_commit_of_one_file_leaves_the_tree_and_the_branch_alone(tmp_path: Path) -> None:
    repo = repo_with_files(tmp_path)
    head = repo.head.commit.hexsha
    sha = commit_file(repo, "promote/a", "specs/a.yaml", "state: shadow\n", "Promote a\n\nWhy.")
    assert run_git(tmp_path, "rev-parse", "promote/a").strip() == sha
    assert run_git(tmp_path, "rev-parse", f"{sha}^").strip() == head
    assert run_git(tmp_path, "diff-tree", "--no-commit-id", "--name-only", "-r", sha) == (
        "specs/a.yaml\n"
    )
    assert run_git(tmp_path, "show", f"{sha}:specs/a.yaml") == "state: shadow\n"
    assert run_git(tmp_path, "log", "-1", "--format=%B", sha).strip() == "Promote a\n\nWhy."
    # The checked-out branch and the working tree are as they were.
    assert run_git(tmp_path, "symbolic-ref", "--short", "HEAD").strip() == "main"
    assert (tmp_path / "specs/a.yaml").read_text(encoding="utf-8") == "state: stable\n"
    assert run_git(tmp_path, "status", "--porcelain") == ""


def test_an_executable_file_stays_executable(tmp_path: Path) -> None:
    repo = repo_with_files(tmp_path)
    sha = commit_file(repo, "edit", "run.sh", "#!/bin/sh\necho hi\n", "Edit run.sh")
    assert run_git(tmp_path, "ls-tree", sha, "run.sh").startswith("100755 blob ")


def test_promote_commits_the_same_way_and_checks_the_branch_out(tmp_path: Path) -> None:
    repo_with_files(tmp_path)
    (tmp_path / "notes.txt").write_text("mine\n", encoding="utf-8")  # untracked: carried over
    committed = commit_on_branch(tmp_path / "specs/a.yaml", "state: shadow\n", "p/a", "Promote")
    assert run_git(tmp_path, "symbolic-ref", "--short", "HEAD").strip() == "p/a"
    assert run_git(tmp_path, "rev-parse", "HEAD").strip() == committed.sha
    assert run_git(tmp_path, "diff-tree", "--no-commit-id", "--name-only", "-r", "HEAD") == (
        "specs/a.yaml\n"
    )
    assert (tmp_path / "specs/a.yaml").read_text(encoding="utf-8") == "state: shadow\n"
    assert run_git(tmp_path, "status", "--porcelain") == "?? notes.txt\n"


def test_a_file_that_is_a_link_is_refused_and_nothing_committed(tmp_path: Path) -> None:
    """Editing through a link would change the file it points at (another team's spec)."""
    repo = repo_with_files(tmp_path)
    (tmp_path / "specs/c.yaml").symlink_to("b.yaml")
    (tmp_path / "linked").symlink_to("specs", target_is_directory=True)
    repo.git.add(".")
    repo.git.commit("-m", "links")
    for path in ("specs/c.yaml", "linked/a.yaml"):
        with pytest.raises(LinkRefused, match="is a symbolic link"):
            commit_file(repo, "promote/c", path, "state: shadow\n", "Promote c")
    assert "promote/c" not in [h.name for h in repo.heads]
