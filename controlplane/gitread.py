"""The specs of a git revision, read straight from its objects: no checkout, no worktree.

Each spec is named as a build on disk names it (relative to the project root,
the folder that holds the specs folder), so that a spec unchanged between the
revision and the working tree has the same name, and the same generated files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import git

from controlplane.errors import UsageError
from controlplane.sources import CONFIG_NAME, Source

SYMLINK_MODE = 0o120000


@dataclass
class RevisionSources:
    specs: list[Source] = field(default_factory=list)
    config: Source | None = None


def read_revision(specs: Path, project_root: Path, ref: str) -> RevisionSources:
    """The spec sources under ``specs`` as they are at ``ref``; none if the folder is absent."""
    repo = _repo(specs)
    commit = _commit(repo, ref)
    top = Path(repo.working_tree_dir or ".").resolve()
    folder = _inside(specs.resolve(), top)
    # Names relative to the project root, as on disk (which may lie above the repository).
    prefix = PurePosixPath(Path(os.path.abspath(specs)).relative_to(project_root).as_posix())
    found = RevisionSources()
    try:
        tree = commit.tree / folder.as_posix() if folder.parts else commit.tree
    except KeyError:
        return found  # the specs folder does not exist at that revision: an empty base
    for blob in tree.traverse():
        if not isinstance(blob, git.Blob) or blob.mode == SYMLINK_MODE:
            continue
        inner = PurePosixPath(blob.path).relative_to(folder)
        if inner.suffix not in (".yaml", ".yml"):
            continue
        source = Source((prefix / inner).as_posix(), blob.data_stream.read(), f"{ref}:{blob.path}")
        if inner.name != CONFIG_NAME:
            found.specs.append(source)
        elif inner == PurePosixPath(CONFIG_NAME):
            found.config = source
    return found


def read_file(path: Path, ref: str) -> bytes | None:
    """The bytes of the file at ``path`` (in a git work tree) as it is at ``ref``; None when
    that revision has no such file. ``path`` itself need not exist in the work tree."""
    existing = next(p for p in (path.absolute(), *path.absolute().parents) if p.is_dir())
    repo = _repo(existing)
    commit = _commit(repo, ref)
    top = Path(repo.working_tree_dir or ".").resolve()
    inside = _inside(existing.resolve(), top) / path.absolute().relative_to(existing).as_posix()
    try:
        blob = commit.tree / inside.as_posix()
    except KeyError:
        return None
    if not isinstance(blob, git.Blob) or blob.mode == SYMLINK_MODE:
        return None
    data: bytes = blob.data_stream.read()
    return data


def _commit(repo: git.Repo, ref: str) -> git.Commit:
    _refuse_ambiguous(repo, ref)
    try:
        return repo.commit(ref)
    except (git.BadName, ValueError, git.GitCommandError):
        raise UsageError(
            f"unknown revision {ref!r}: fetch it or name a branch, tag or commit"
        ) from None


def _refuse_ambiguous(repo: git.Repo, ref: str) -> None:
    """Refuse a short name that means more than one ref. git reads a tag before a remote
    branch: anyone who can push a tag `origin/main` would choose what `--base origin/main`
    trusts."""
    if ref.startswith("refs/"):
        return
    candidates = [f"refs/{ref}", *(f"refs/{kind}/{ref}" for kind in ("tags", "heads", "remotes"))]
    listed = set(repo.git.for_each_ref("--format=%(refname)").splitlines())
    found = [name for name in [*candidates, f"refs/remotes/{ref}/HEAD"] if name in listed]
    if len(found) > 1:
        raise UsageError(f"revision {ref!r} is ambiguous ({', '.join(found)}): name one in full")


def _repo(specs: Path) -> git.Repo:
    try:
        return git.Repo(specs, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise UsageError(f"{specs} is not in a git repository: --base needs one") from None


def _inside(path: Path, top: Path) -> PurePosixPath:
    try:
        return PurePosixPath(path.relative_to(top).as_posix())
    except ValueError:
        raise UsageError(f"{path} is outside the git repository at {top}") from None
