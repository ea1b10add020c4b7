"""What `mlcp build --check` trusts: the base revision, and nothing a pull request can change.

A check renders every unit (see `controlplane.build`) and compares the bytes on
disk with what the specs render. With a base revision (the target branch, read
from git objects), a unit whose input key is the one the base's manifest records
takes its files' digests from that manifest instead of rendering; the files on
disk are still read and hashed, whatever their size and modification time say.
The manifest on disk is compared like any generated file and trusted for
nothing, and so is the build cache's shortcut (size and mtime): a plain
`mlcp build` may use it, a check never does.

Every file under the output folder is accounted for: one no spec makes is
`stale`. In a git work tree, what git ignores (`make demo`'s `retrain-demo/`,
pip's `build/lib/`) is none of the build's business; anything tracked, or
untracked and not ignored, is.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

from controlplane.buildcache import Previous, parse_manifest
from controlplane.write import MANIFEST, FileEntry, Status


def base_manifest(out: Path, ref: str | None) -> Previous:
    """The manifest of the output folder as it is at ``ref``, from git objects; an empty one
    without a base or when that revision has none (then every unit is rendered)."""
    if ref is None:
        return Previous()
    from controlplane.gitread import read_file  # git loads only with a base

    text = read_file(out / MANIFEST, ref)
    return Previous() if text is None else parse_manifest(text)


def verify(out: Path, entries: Sequence[FileEntry]) -> list[FileEntry]:
    """Each entry with the state of its file on disk: its bytes hashed against the entry's
    sha256. A symbolic link is not a generated file, whatever it points at."""
    return [dataclasses.replace(entry, status=_state(out / entry.path, entry)) for entry in entries]


def _state(path: Path, entry: FileEntry) -> Status:
    try:
        if path.is_symlink():
            return "written"
        data = path.read_bytes()
    except FileNotFoundError:
        return "missing"
    except OSError:
        return "written"
    return "unchanged" if hashlib.sha256(data).hexdigest() == entry.sha256 else "written"


def files_under(out: Path) -> list[str]:
    """Every file under ``out`` a check must account for, relative to it, sorted: in a git
    work tree, those git tracks or would track; elsewhere, all of them."""
    if not out.is_dir():
        return []
    listed = _git_listed(out)
    if listed is None:
        listed = _walk(out)
    return sorted(p for p in set(listed) if os.path.lexists(out / p))


def _git_listed(out: Path) -> list[str] | None:
    """Tracked files, and untracked ones git does not ignore; None outside a work tree."""
    command = ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."]
    try:
        done = subprocess.run(command, cwd=out, capture_output=True, check=False)
    except OSError:  # no git on the machine
        return None
    if done.returncode != 0:  # not in a work tree
        return None
    return [name for name in done.stdout.decode("utf-8", "surrogateescape").split("\0") if name]


def _walk(out: Path) -> list[str]:
    found = []
    for folder, subfolders, names in os.walk(out):
        base = Path(folder)
        # A link to a folder is listed as one entry, not followed.
        links = [d for d in subfolders if (base / d).is_symlink()]
        for name in [*names, *links]:
            found.append((base / name).relative_to(out).as_posix())
    return found


__all__ = ["base_manifest", "files_under", "verify"]
