"""One commit that changes one file, written to git's objects without touching the
working tree or the checked-out branch: the one way mlcp commits a spec on a branch.

`mlcp promote` and `rollback` then check the branch out (`rollout.gitops`); the
retraining pipeline does not, since DVC is running in that tree (`pipeline.gitops`).
"""

from __future__ import annotations

import io
import os
from pathlib import Path, PurePosixPath

import git
from git.index.typ import BaseIndexEntry
from gitdb import IStream

LINK_MODE = 0o120000  # a symbolic link in a git tree


class LinkRefused(ValueError):
    """The path is, or passes through, a symbolic link in HEAD: the edit would land elsewhere."""


def repo_relative(root: Path, path: Path) -> str:
    """`path` relative to the work tree `root` as it is named, links not followed (so that
    commit_file sees and refuses them); folders resolved only where a link above the work
    tree (a /tmp that is a link) keeps the names apart."""
    named = Path(os.path.abspath(path))
    for base in (Path(os.path.abspath(root)), root.resolve()):
        if named.is_relative_to(base):
            return named.relative_to(base).as_posix()
    return (named.parent.resolve() / named.name).relative_to(root.resolve()).as_posix()


def refuse_links(tree: git.Tree, path: str) -> None:
    """LinkRefused when the file at `path`, or a folder on its way, is a link in `tree`."""
    parts = PurePosixPath(path).parts
    for depth in range(1, len(parts) + 1):
        prefix = "/".join(parts[:depth])
        try:
            mode = tree[prefix].mode
        except KeyError:  # not committed: the caller says so
            return
        if mode == LINK_MODE:
            raise LinkRefused(f"refusing to edit {path}: {prefix} is a symbolic link")


def commit_file(repo: git.Repo, branch: str, path: str, text: str, message: str) -> str:
    """A commit on `branch` (made or moved) that changes one file of HEAD; its sha. Refused
    (LinkRefused) when the file, or a folder on its way, is a symbolic link in HEAD."""
    head = repo.head.commit
    refuse_links(head.tree, path)
    data = text.encode("utf-8")
    blob = repo.odb.store(IStream("blob", len(data), io.BytesIO(data)))
    index = git.IndexFile.from_tree(repo, head)
    mode = head.tree[path].mode
    index.add([BaseIndexEntry((mode, blob.binsha, 0, path))], write=False)
    tree = index.write_tree()
    commit = git.Commit.create_from_tree(repo, tree, message, parent_commits=[head], head=False)
    repo.create_head(branch, commit, force=True)
    return commit.hexsha
