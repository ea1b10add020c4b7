"""The only module that touches the output tree: write artifacts, the manifest, --check.

Files are written one at a time, as they are rendered, and forgotten: what a
build keeps of each is a `FileEntry` (path, model, sha256, size), and the
manifest is made from those entries, never from retained contents.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import controlplane
from controlplane.render import Artifact, jsonwrite

MANIFEST = "manifest.json"
Status = Literal["written", "unchanged", "missing"]


@dataclass
class WriteResult:
    written: list[str] = field(default_factory=list)  # new or changed (missing ones included)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # stale files an earlier build made
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


def safe_path(out: Path, relative: str) -> Path:
    target = (out / relative).resolve()
    if not target.is_relative_to(out.resolve()):
        raise ValueError(f"refusing to write outside {out}: {relative}")
    return target


def _compare(target: Path, content: bytes) -> Status:
    try:
        return "unchanged" if target.read_bytes() == content else "written"
    except FileNotFoundError:
        return "missing"
    except OSError:
        return "written"


def _replace(target: Path, content: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_bytes(content)
    tmp.replace(target)


def put(out: Path, relative: str, content: bytes, model: str | None, *, check: bool) -> FileEntry:
    """Write one file if it differs from what is on disk (with check, only compare)."""
    target = safe_path(out, relative)
    status = _compare(target, content)
    if status != "unchanged" and not check:
        _replace(target, content)
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
    previous_files: Iterable[str],
    *,
    check: bool,
) -> WriteResult:
    """Remove what an earlier build made and this one does not, write the manifest
    last, and sum up. With check, change nothing."""
    result = WriteResult()
    for entry in sorted(entries, key=lambda e: e.path):
        (result.unchanged if entry.status == "unchanged" else result.written).append(entry.path)
        if entry.status == "missing":
            result.missing.append(entry.path)
    made = {e.path for e in entries} | {MANIFEST}
    result.removed = sorted(p for p in set(previous_files) - made if (out / p).exists())
    if not check:
        for relative in result.removed:
            safe_path(out, relative).unlink(missing_ok=True)
    record = put(out, MANIFEST, manifest.encode("utf-8"), None, check=check)
    if not check and record.status == "unchanged" and result.written:
        # Files just written must look older than the manifest, so that the next
        # build trusts them without reading them (see controlplane.buildcache).
        os.utime(safe_path(out, MANIFEST))
    (result.unchanged if record.status == "unchanged" else result.written).append(MANIFEST)
    if record.status == "missing":
        result.missing.append(MANIFEST)
    return result
