"""The only module that touches the output tree: write artifacts, the manifest, --check."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from controlplane import __version__
from controlplane.render import Artifact

MANIFEST = "manifest.json"


@dataclass
class WriteResult:
    written: list[str] = field(default_factory=list)  # new or changed
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # stale files an earlier build made


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def manifest_artifact(artifacts: Sequence[Artifact]) -> Artifact:
    files = {a.path: {"sha256": _sha256(a.content), "model": a.model} for a in artifacts}
    body = {"generator": f"mlcp {__version__}", "files": dict(sorted(files.items()))}
    return Artifact(MANIFEST, json.dumps(body, indent=2, sort_keys=True) + "\n")


def _previous(out: Path) -> set[str]:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        return set(data.get("files", {}))
    except (OSError, ValueError, AttributeError):
        return set()


def _safe(out: Path, relative: str) -> Path:
    target = (out / relative).resolve()
    if not target.is_relative_to(out.resolve()):
        raise ValueError(f"refusing to write outside {out}: {relative}")
    return target


def _files(artifacts: Sequence[Artifact]) -> dict[str, bytes]:
    """Every file a build makes, the manifest included, as the bytes to write."""
    everything = [*artifacts, manifest_artifact(artifacts)]
    return {a.path: a.content.encode("utf-8") for a in everything}


def _plan(out: Path, files: dict[str, bytes]) -> WriteResult:
    result = WriteResult()
    for relative, content in files.items():
        try:
            same = _safe(out, relative).read_bytes() == content
        except OSError:
            same = False
        (result.unchanged if same else result.written).append(relative)
    result.removed = sorted(p for p in _previous(out) - files.keys() if (out / p).exists())
    return result


def plan_writes(out: Path, artifacts: Sequence[Artifact]) -> WriteResult:
    """What a build would change, without changing anything (`mlcp build --check`)."""
    return _plan(out, _files(artifacts))


def write_artifacts(out: Path, artifacts: Sequence[Artifact]) -> WriteResult:
    """Write what differs, remove what an earlier build made and this one does not."""
    files = _files(artifacts)
    result = _plan(out, files)
    for relative in result.written:
        target = _safe(out, relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_bytes(files[relative])
        tmp.replace(target)
    for relative in result.removed:
        _safe(out, relative).unlink(missing_ok=True)
    return result
