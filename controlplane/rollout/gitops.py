"""Commit an edited spec on a new branch, so the change is reviewed like any other."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import git

from controlplane.gitwrite import LinkRefused, commit_file, repo_relative
from controlplane.rollout.errors import GitError


@dataclass(frozen=True)
class Committed:
    branch: str
    sha: str
    path: str  # the spec, relative to the repository root


def commit_on_branch(spec: Path, text: str, branch: str, message: str) -> Committed:
    """Commit ``text`` as ``spec`` on a new ``branch`` from HEAD, and switch to it.

    Refused when the spec has changes of its own, other changes are staged (they
    would join the commit), or the branch exists.
    """
    try:
        repo = git.Repo(spec.resolve().parent, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise GitError(f"{spec} is not in a git repository: promotion is a commit") from None
    root = Path(repo.working_tree_dir or ".")
    relative = repo_relative(root, spec)
    _check_clean(repo, relative, branch)
    try:
        sha = commit_file(repo, branch, relative, text, message)
    except LinkRefused as error:
        raise GitError(str(error)) from None
    repo.git.checkout(branch)  # the spec is clean, so the checkout brings the edit in
    return Committed(branch, sha, relative)


def _check_clean(repo: git.Repo, relative: str, branch: str) -> None:
    if not repo.head.is_valid():
        raise GitError("the repository has no commit yet to branch from")
    if relative in repo.untracked_files or repo.is_dirty(path=relative):
        raise GitError(f"{relative} has uncommitted changes: commit or stash them first")
    if repo.index.diff("HEAD"):
        raise GitError("other changes are staged and would join the commit: commit or unstage them")
    if branch in repo.heads:
        raise GitError(f"the branch {branch} exists already: delete it or finish its review")
