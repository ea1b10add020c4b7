"""One commit that changes one file, written to git's objects without touching the
working tree or the checked-out branch: the one way mlcp commits a spec on a branch.

`mlcp promote` and `rollback` then check the branch out (`rollout.gitops`); the
retraining pipeline does not, since DVC is running in that tree (`pipeline.gitops`).
"""

from __future__ import annotations

import io

import git
from git.index.typ import BaseIndexEntry
from gitdb import IStream


def commit_file(repo: git.Repo, branch: str, path: str, text: str, message: str) -> str:
    """A commit on `branch` (made or moved) that changes one file of HEAD; its sha."""
    head = repo.head.commit
    data = text.encode("utf-8")
    blob = repo.odb.store(IStream("blob", len(data), io.BytesIO(data)))
    index = git.IndexFile.from_tree(repo, head)
    mode = head.tree[path].mode
    index.add([BaseIndexEntry((mode, blob.binsha, 0, path))], write=False)
    tree = index.write_tree()
    commit = git.Commit.create_from_tree(repo, tree, message, parent_commits=[head], head=False)
    repo.create_head(branch, commit, force=True)
    return commit.hexsha
