"""The only module that touches the output tree: write artifacts, the manifest, --check.

Files are written one at a time, as they are rendered, and forgotten: what a
build keeps of each is a `FileEntry` (path, model, sha256, size), and the
manifest is made from those entries, never from retained contents.

Nothing is written or removed through a symbolic link: the output tree is
committed, so a link in it is anyone's to make. Each file is named by a plain
relative path, no folder between the output folder and the file may be a link,
nor the file itself; a file is replaced by renaming a temporary file created
exclusively beside it. A stale file is removed only if it is still the regular
file the last build's manifest recorded, byte for byte, in a folder this build
writes to (a manifest is anyone's to forge, digests included).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import controlplane
from controlplane.errors import MlcpError
from controlplane.render import Artifact, jsonwrite

MANIFEST = "manifest.json"
Status = Literal["written", "unchanged", "missing"]


@dataclass
class WriteResult:
    written: list[str] = field(default_factory=list)  # new or changed (missing ones included)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # stale files an earlier build made
    # Stale files an earlier build listed that are no longer as it wrote them (edited, or a
    # link or folder now): left in place, for a person to look at.
    kept: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # the written ones that were not on disk
    owned: list[FileEntry] = field(default_factory=list)  # outside the output folder (CODEOWNERS)

    @property
    def owned_changed(self) -> list[str]:
        return [e.path for e in self.owned if e.status != "unchanged"]


@dataclass(frozen=True)
class FileEntry:
    """What a build keeps of one generated file once it is on disk (or compared, with --check)."""

    path: str
    model: str | None
    sha256: str
    size: int
    status: Status = "unchanged"

    def manifest_record(self) -> dict[str, Any]:
        return {"model": self.model, "sha256": self.sha256, "size": self.size}


class WriteError(MlcpError):
    """A file mlcp will not write or remove (its name leaves the folder, a link is in its
    way) or cannot (the system refused): one line naming the path."""


def plain_relative(path: object) -> bool:
    """A name a build could have made: relative, without `..`, backslashes or control characters."""
    if not isinstance(path, str) or not path or "\\" in path:
        return False
    if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in path):
        return False
    pure = PurePosixPath(path)
    return not pure.is_absolute() and ".." not in pure.parts


def first_link(folder: Path, relative: str) -> Path | None:
    """The first symbolic link on the way from `folder` down to `folder / relative`."""
    current = folder
    for part in PurePosixPath(relative).parts:
        current = current / part
        try:
            mode = os.lstat(current).st_mode
        except OSError:  # absent: the rest is made as plain folders (or fails, saying why)
            return None
        if stat.S_ISLNK(mode):
            return current
    return None


def safe_path(out: Path, relative: str) -> Path:
    """`out / relative`, refused when the name is not plain or a link is on the way."""
    if not plain_relative(relative):
        raise WriteError(
            f"refusing to write under {out}: {relative!r} is not a plain relative path"
        )
    target = out / relative
    link = first_link(out, relative)
    if link is not None:
        raise WriteError(f"refusing to write {target}: {link} is a symbolic link")
    return target


def confine_output(
    out: Path, root: Path | None, specs: Iterable[Path], configured: str | None
) -> None:
    """Refuse an output folder that is the project root, or holds the specs or lies
    among them. One from mlcp.yaml (`configured`, relative to `root`) must also be
    reached from the root through no link: a committed `build -> ..` would leave the
    project. (mlcp.yaml's own diagnostic, MLCP499, says what is wrong with its text.)"""
    if configured is not None and root is not None:
        folder = os.path.normpath(configured)
        link = first_link(root, folder) if plain_relative(folder) else None
        if link is not None:
            shown = link.relative_to(root).as_posix()
            raise WriteError(f"refusing to build into {configured}: {shown} is a symbolic link")
    here = out.resolve()
    if root is not None and here == root.resolve():
        raise WriteError(f"refusing to build into {out}: it is the project root")
    for spec in specs:
        folder_of_specs = (spec if spec.is_dir() else spec.parent).resolve()
        if folder_of_specs.is_relative_to(here) or here.is_relative_to(folder_of_specs):
            raise WriteError(f"refusing to build into {out}: the specs are in {spec}")


def _compare(target: Path, content: bytes) -> Status:
    try:
        return "unchanged" if target.read_bytes() == content else "written"
    except FileNotFoundError:
        return "missing"
    except OSError:
        return "written"


def replace_file(target: Path, content: bytes) -> None:
    """Put `content` at `target` at once: a temporary file beside it, created exclusively
    (never an existing file or link) under a random name, then renamed over it."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = _create_beside(target)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
            os.replace(temporary, target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise WriteError(f"cannot write {target}: {exc.strerror or exc}") from None


def _create_beside(target: Path) -> tuple[int, Path]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    while True:
        temporary = target.with_name(f".{target.name}.{secrets.token_hex(8)}.tmp")
        try:
            return os.open(temporary, flags, 0o666), temporary
        except FileExistsError:
            continue


def put(out: Path, relative: str, content: bytes, model: str | None, *, check: bool) -> FileEntry:
    """Write one file if it differs from what is on disk (with check, only compare)."""
    target = safe_path(out, relative)
    status = _compare(target, content)
    if status != "unchanged" and not check:
        replace_file(target, content)
    digest = hashlib.sha256(content).hexdigest()
    return FileEntry(relative, model, digest, len(content), status)


def put_artifacts(out: Path, artifacts: Iterable[Artifact], *, check: bool) -> list[FileEntry]:
    return [put(out, a.path, a.content.encode("utf-8"), a.model, check=check) for a in artifacts]


# Files mlcp owns outside the output folder, relative to the project root.
OWNED_OUTSIDE = frozenset({".github/CODEOWNERS"})


def put_owned(root: Path, artifact: Artifact, *, check: bool) -> FileEntry:
    """Write (or, with check, compare) one of the few files mlcp owns outside its output."""
    if artifact.path not in OWNED_OUTSIDE:
        raise ValueError(f"mlcp does not own {artifact.path} outside the output folder")
    return put(root, artifact.path, artifact.content.encode("utf-8"), None, check=check)


def manifest_text(
    entries: Sequence[FileEntry], inputs: Mapping[str, Any], owned: Sequence[FileEntry] = ()
) -> str:
    """Every file with its model, sha256 and size; and, per model, the digest of the
    inputs it was rendered from (the build cache's keys, see controlplane.buildcache).
    `owned` files sit outside the output folder: named relative to the project root."""
    files = {e.path: e.manifest_record() for e in entries}
    body = {"generator": f"mlcp {controlplane.__version__}", "files": files, "inputs": dict(inputs)}
    if owned:
        body["owned"] = {e.path: {"sha256": e.sha256, "size": e.size} for e in owned}
    return jsonwrite.dumps(body)


def finish(
    out: Path,
    entries: Sequence[FileEntry],
    manifest: str,
    previous: Mapping[str, FileEntry],
    *,
    check: bool,
    present: Sequence[str] | None = None,
) -> WriteResult:
    """Remove what an earlier build made and this one does not, write the manifest
    last, and sum up. With check, change nothing.

    `previous` is the last build's manifest, which anyone could have edited: a file
    it lists is removed only if it is still, byte for byte, what it recorded there.
    A check gives `present` instead, the files on disk: each one no spec makes is stale,
    whatever any manifest says."""
    result = WriteResult()
    for entry in sorted(entries, key=lambda e: e.path):
        (result.unchanged if entry.status == "unchanged" else result.written).append(entry.path)
        if entry.status == "missing":
            result.missing.append(entry.path)
    made = {e.path for e in entries} | {MANIFEST}
    if present is not None:
        result.removed = [path for path in present if path not in made]
        previous = {}
    folders = {_top_folder(e.path) for e in entries}
    gone = [e for path, e in previous.items() if path not in made and path == e.path]
    gone = [e for e in gone if plain_relative(e.path) and _top_folder(e.path) in folders]
    gone = [e for e in gone if os.path.lexists(out / e.path)]
    result.removed += sorted(e.path for e in gone if _made_by_mlcp(out, e))
    result.kept = sorted({e.path for e in gone} - set(result.removed))
    if not check:
        for relative in result.removed:
            _remove(out / relative)
    record = put(out, MANIFEST, manifest.encode("utf-8"), None, check=check)
    if not check and record.status == "unchanged" and result.written:
        # Files just written must look older than the manifest, so that the next
        # build trusts them without reading them (see controlplane.buildcache).
        os.utime(safe_path(out, MANIFEST))
    (result.unchanged if record.status == "unchanged" else result.written).append(MANIFEST)
    if record.status == "missing":
        result.missing.append(MANIFEST)
    return result


def _top_folder(path: str) -> str:
    """The first folder of `path` below the output folder ("" for a file right in it). A
    stale file is removed only in a folder this build writes too: build.out may name a
    folder that holds the project's own files (`.github`), and a manifest put there may
    vouch for them (`workflows/apply.yml`) with their true digests."""
    parts = PurePosixPath(path).parts
    return parts[0] if len(parts) > 1 else ""


def _made_by_mlcp(out: Path, entry: FileEntry) -> bool:
    """The file is in `out`, reached through no link, a regular file, and as recorded."""
    if not plain_relative(entry.path) or first_link(out, entry.path) is not None:
        return False
    path = out / entry.path
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size != entry.size:
            return False
        return hashlib.sha256(path.read_bytes()).hexdigest() == entry.sha256
    except OSError:
        return False


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise WriteError(f"cannot remove {path}: {exc.strerror or exc}") from None
