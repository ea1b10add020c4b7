"""Temporary git repositories holding the example specs: a base commit, then a head commit."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import git

from controlplane.build import build
from tests.conftest import SPECS

BASE_BRANCH = "base"
Edit = Callable[[Path], None]


def make_repo(root: Path, edit: Edit) -> Path:
    """A repository whose branch `base` holds the examples and whose work tree (committed as
    the head) holds them after `edit`; returns the repository's root."""
    repo = git.Repo.init(root)
    with repo.config_writer() as config:
        config.set_value("user", "name", "Test")
        config.set_value("user", "email", "test@example.com")
    shutil.copytree(SPECS, root / "specs")
    repo.git.add("-A")
    repo.git.commit("-qm", "base")
    repo.git.branch(BASE_BRANCH)
    edit(root / "specs")
    repo.git.add("-A")
    repo.git.commit("-qm", "head", "--allow-empty")
    return root


def replace(name: str, old: str, new: str) -> Edit:
    """An edit that replaces one exact passage of one spec (it must occur once)."""

    def edit(specs: Path) -> None:
        path = specs / f"{name}.yaml"
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} is not in {name} exactly once"
        path.write_text(text.replace(old, new), encoding="utf-8")

    return edit


def remove(name: str) -> Edit:
    def edit(specs: Path) -> None:
        (specs / f"{name}.yaml").unlink()

    return edit


def nothing(specs: Path) -> None:
    pass


def make_built_repo(root: Path) -> Path:
    """A repository as the project keeps one: specs/, build/ as `mlcp build` makes it and a
    .gitignore, committed once on the branch `base` (and checked out)."""
    shutil.copytree(SPECS, root / "specs")
    result = build([root / "specs"], None, check=False, jobs=1)
    assert result.compilation.ok and result.writes is not None
    (root / ".gitignore").write_text("build/retrain-demo/\n/build/lib/\n", encoding="utf-8")
    repo = git.Repo.init(root)
    with repo.config_writer() as config:
        config.set_value("user", "name", "Test")
        config.set_value("user", "email", "test@example.com")
    repo.git.add("-A")
    repo.git.commit("-qm", "base")
    repo.git.branch(BASE_BRANCH)
    return root


def clone(source: Path, root: Path) -> Path:
    """A fresh clone of `source` (files written in git's order) with its branch `base`."""
    git.Repo.clone_from(source, root)
    git.Repo(root).git.branch(BASE_BRANCH, f"origin/{BASE_BRANCH}")
    return root


def commit_all(root: Path, message: str = "head") -> None:
    repo = git.Repo(root)
    repo.git.add("-A")
    repo.git.commit("-qm", message)
