"""The build cache: render a model again only when something it is made from changed.

A build renders in units: one per model, and one for the shared files (the
schemas and alertmanager.yml, made from every model). Each unit has a key, the
sha256 of everything its output can depend on:

- the model, normalized (for a model's unit; every model's key for the shared one);
- the resolved config (mlcp.yaml with its defaults);
- mlcp's version;
- a digest of the generator itself: every file of the `controlplane` package and
  the versions of the libraries whose output lands in files (so a change to the
  code, even uncommitted and under the same version, never serves old output).

The keys live in `manifest.json` beside each file's sha256 and size (under
"inputs"), so the cache needs no folder of its own and two builds of the same
inputs still write byte-identical trees. A unit is not rendered again when its
key is the one the manifest records and every file the manifest gives it is
still on disk as written: the same size and a modification time older than the
manifest's (the manifest is written last). A file touched since, or one as new
as the manifest (the clock's granularity cannot order them), is read and
compared by sha256 first, as git does for racily clean files; a file edited by
hand or deleted makes its unit render and write again. What this cannot see is
an edit that keeps a file's size and then makes the manifest newer again (say,
touching manifest.json by hand); deleting manifest.json makes the next build a
full one. That is a local build's speed-up, never a proof: `mlcp build --check`
trusts neither the manifest on disk nor sizes and times (see
`controlplane.buildcheck`).

Renderers are pure functions of (model, config), or (models, config) for the
shared files; that is what makes these keys complete.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import fractions
import functools
import hashlib
import importlib.metadata
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath, PurePosixPath
from typing import Any

import controlplane
from controlplane.model import Config, Model
from controlplane.write import MANIFEST, FileEntry, first_link

SHARED = "(shared)"  # the unit of files no single model owns; no model name has parentheses
CACHE_FORMAT = "1"  # bump when what a key covers changes
# Libraries whose output is written into generated files.
OUTPUT_LIBRARIES = (
    "grafana-foundation-sdk",
    "pulumi",
    "pulumi-aws",
    "pydantic",
    "pydantic-core",
    "jinja2",
    "markupsafe",
)

Stats = dict[str, int]


# --- keys -----------------------------------------------------------------------------------

_FIELDS: dict[type, tuple[str, ...]] = {}
_SCALARS = frozenset({str, int, float, bool, type(None)})
# Types whose repr shows their whole value.
_FAITHFUL_REPR = (
    str,
    int,
    float,
    bytes,
    complex,
    datetime.date,
    datetime.time,
    datetime.timedelta,
    decimal.Decimal,
    fractions.Fraction,
    PurePath,
)


def canonical(value: object) -> str:
    """A text that differs whenever `value` differs: dataclasses field by field (every field,
    whatever its repr says), tuples and lists in order, dicts and sets sorted.

    Anything else is a TypeError rather than a guess: an object whose repr hid its state
    could make two different models share a key.
    """
    out: list[str] = []
    _canonical(value, out)
    return "".join(out)


def _canonical(value: object, out: list[str]) -> None:
    kind = type(value)
    if kind in _SCALARS:
        out.append(repr(value))
    elif kind is tuple or kind is list:
        out.append("(" if kind is tuple else "[")
        for item in value:  # type: ignore[attr-defined]
            _canonical(item, out)
            out.append(",")
        out.append(")" if kind is tuple else "]")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        out.append(kind.__qualname__ + "(")
        for name in _field_names(kind):
            out.append(name + "=")
            _canonical(getattr(value, name), out)
            out.append(",")
        out.append(")")
    elif isinstance(value, enum.Enum):
        out.append(f"{kind.__qualname__}.{value.name}")
    elif isinstance(value, _FAITHFUL_REPR):  # subclasses too: the type is part of the value
        out.append(f"{kind.__qualname__}:{value!r}")
    elif isinstance(value, Mapping):
        items = sorted((canonical(k), canonical(v)) for k, v in value.items())
        out.append("{" + ",".join(f"{k}:{v}" for k, v in items) + "}")
    elif isinstance(value, set | frozenset):
        out.append("{" + ",".join(sorted(canonical(item) for item in value)) + "}")
    else:
        raise TypeError(f"no canonical form for {kind.__name__}: add one to buildcache")


def _field_names(kind: type) -> tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind))
    return names


def _sha256(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


@functools.cache
def generator_digest() -> str:
    """The sha256 of the code that renders: the package's files and the output libraries."""
    package = Path(controlplane.__file__).parent
    digest = hashlib.sha256(folder_digest(package).encode())
    # The templates are a link out of the package in a checkout, which rglob does not follow.
    digest.update(folder_digest((package / "templates").resolve()).encode())
    for library in OUTPUT_LIBRARIES:
        try:
            version = importlib.metadata.version(library)
        except importlib.metadata.PackageNotFoundError:
            version = "absent"
        digest.update(f"{library}=={version}\0".encode())
    digest.update(sys.version.encode("utf-8"))
    return digest.hexdigest()


def folder_digest(folder: Path) -> str:
    """The sha256 of every file under `folder` (bytecode caches aside) and of its name."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def unit_keys(models: Sequence[Model], config: Config) -> dict[str, str]:
    """The key of every unit: each model's by name, and the shared files' under SHARED."""
    common = _sha256(CACHE_FORMAT, controlplane.__version__, generator_digest(), canonical(config))
    keys = {model.name: _sha256(common, canonical(model)) for model in models}
    keys[SHARED] = _sha256(common, *(f"{name}={key}" for name, key in sorted(keys.items())))
    return keys


# --- what the last build left -------------------------------------------------------------


@dataclass(frozen=True)
class Reused:
    """A unit taken from the last build: its files' entries and its statistics."""

    entries: list[FileEntry]
    stats: Stats


@dataclass
class Previous:
    """The manifest of the last build, read back; empty when there is none to trust."""

    files: dict[str, FileEntry] = field(default_factory=dict)
    inputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    stamp: int = 0  # the manifest's modification time, ns

    def reusable(self, out: Path, unit: str, key: str) -> Reused | None:
        """The unit's entries if its key is the recorded one and its files are intact."""
        found = self.recorded(unit, key)
        if found is None or not all(self._intact(out, entry) for entry in found.entries):
            return None
        return found

    def recorded(self, unit: str, key: str) -> Reused | None:
        """The unit's entries and statistics as the manifest records them, if its key is the
        recorded one; what is on disk is not looked at."""
        recorded = self.inputs.get(unit)
        if recorded is None or recorded.get("sha256") != key:
            return None
        stats = recorded.get("stats")
        if not isinstance(stats, dict) or not all(type(n) is int for n in stats.values()):
            return None
        model = None if unit == SHARED else unit
        return Reused(self._units.get(model, []), dict(stats))

    @functools.cached_property
    def _units(self) -> dict[str | None, list[FileEntry]]:
        grouped: dict[str | None, list[FileEntry]] = {}
        for entry in self.files.values():
            grouped.setdefault(entry.model, []).append(entry)
        return grouped

    def _intact(self, out: Path, entry: FileEntry) -> bool:
        if first_link(out, entry.path) is not None:
            return False  # rendered again, a write then refuses the link
        path = out / entry.path
        try:
            stat = path.stat()
        except OSError:
            return False
        if stat.st_size != entry.size:
            return False
        if stat.st_mtime_ns < self.stamp:
            return True
        try:
            return hashlib.sha256(path.read_bytes()).hexdigest() == entry.sha256
        except OSError:
            return False


def read_previous(out: Path) -> Previous:
    """The last build's manifest under `out`; an empty one if it is absent or not ours."""
    path = out / MANIFEST
    try:
        stamp = path.stat().st_mtime_ns
        text = path.read_bytes()
    except OSError:
        return Previous()
    return parse_manifest(text, stamp)


def parse_manifest(text: bytes, stamp: int = 0) -> Previous:
    """A manifest's files and inputs; an empty one if it is not a manifest of ours."""
    try:
        data = json.loads(text.decode("utf-8"))
    except ValueError:
        return Previous()
    if not isinstance(data, dict):
        return Previous()
    files = _entries(data.get("files"))
    inputs = data.get("inputs")
    if files is None:
        return Previous()
    if not isinstance(inputs, dict) or not all(isinstance(v, dict) for v in inputs.values()):
        inputs = {}  # a manifest of an older format: its file list still serves for removal
    return Previous(files, inputs, stamp)


def _entries(files: object) -> dict[str, FileEntry] | None:
    if not isinstance(files, dict):
        return None
    entries: dict[str, FileEntry] = {}
    for path, record in files.items():
        if not _relative(path) or not isinstance(record, dict):
            return None
        model, sha256, size = record.get("model"), record.get("sha256"), record.get("size", -1)
        if not isinstance(model, str | None) or not isinstance(sha256, str):
            return None
        entries[path] = FileEntry(path, model, sha256, size if isinstance(size, int) else -1)
    return entries


def _relative(path: object) -> bool:
    """A path a build could have made: relative, inside the output folder."""
    if not isinstance(path, str) or not path:
        return False
    pure = PurePosixPath(path)
    return not pure.is_absolute() and ".." not in pure.parts and "\\" not in path


def unit_stats(stats: Iterable[tuple[str, int]]) -> Stats:
    table: Stats = {}
    for name, count in stats:
        table[name] = table.get(name, 0) + count
    return table


def inputs_record(keys: Mapping[str, str], stats: Mapping[str, Stats]) -> dict[str, Any]:
    """What the manifest records per unit: its key and its statistics, sorted by unit."""
    return {
        unit: {"sha256": keys[unit], "stats": dict(sorted(stats.get(unit, {}).items()))}
        for unit in sorted(keys)
    }


__all__ = [
    "SHARED",
    "Previous",
    "Reused",
    "canonical",
    "folder_digest",
    "generator_digest",
    "inputs_record",
    "parse_manifest",
    "read_previous",
    "unit_keys",
    "unit_stats",
]
