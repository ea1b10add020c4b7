"""What the compiler reads: named texts, from disk, from a git object or from memory.

A ``Source`` carries two names. ``path`` names the spec in everything mlcp
generates; it is relative to the project root (the folder that holds the specs
folder, where ``build/`` goes too), so the same specs build byte-identically
whatever folder mlcp runs from. ``display`` is what a diagnostic prints: the
path as a person can open it from where they stand.

The project root rather than the git root: a specs folder copied out of its
repository, unpacked from an archive or checked out as a worktree builds the
same, and in the layout mlcp expects (``specs/`` at the top of the repository,
``build/`` beside it) the two are the same folder, so the names a pull request
reads from git (``specs/fraud-detector.yaml``) are the names a disk build uses.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from controlplane.diagnostics import Diagnostic
from controlplane.errors import UsageError
from controlplane.spec import controls, load
from controlplane.spec.load import Document

CONFIG_NAME = "mlcp.yaml"


@dataclass(frozen=True)
class Source:
    """One YAML text to compile, with its stable name and the name diagnostics print."""

    path: str  # posix, relative to the project root: what generated output names
    text: str | bytes
    display: str = ""  # for diagnostics; the path when empty

    @property
    def shown(self) -> str:
        return self.display or self.path

    def raw(self) -> bytes:
        return self.text.encode("utf-8") if isinstance(self.text, str) else self.text


def load_source(source: Source) -> Document | Diagnostic:
    """The source as located data; a Diagnostic says why it could not be read."""
    refused = controls.path_problem(source.path, source.shown)
    if refused is not None:
        return refused
    return load.load_source(source.raw(), source.shown)


# --- disk --------------------------------------------------------------------


def default_specs() -> Path:
    """specs/ of the working folder; the working folder itself when it is a specs folder."""
    here_is_specs = not Path("specs").is_dir() and Path(CONFIG_NAME).is_file()
    return Path(".") if here_is_specs else Path("specs")


def display(path: Path) -> str:
    """A path as a person can open it from the working folder."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _absolute(path: Path) -> Path:
    # abspath, not resolve: a symlinked spec keeps the name it has in the specs folder.
    return Path(os.path.abspath(path))


@dataclass
class SpecTree:
    """Spec files found on disk under the paths a person gave, and where they sit."""

    files: list[Path]
    config: Path | None
    root: Path  # the project root, absolute: names are relative to it, build.out too

    def name(self, path: Path) -> str:
        absolute = _absolute(path)
        try:
            return absolute.relative_to(self.root).as_posix()
        except ValueError:  # a file outside the project: its folder and name
            return f"{absolute.parent.name}/{absolute.name}".lstrip("/")


def discover(paths: Sequence[Path]) -> SpecTree:
    """Spec files under the given files and folders (sorted), and the mlcp.yaml that governs them."""
    files: list[Path] = []
    config: Path | None = None
    folders: list[Path] = []
    for path in paths:
        if path.is_dir():
            folders.append(path)
            config = config or (path / CONFIG_NAME if (path / CONFIG_NAME).is_file() else None)
            found = [*path.rglob("*.yaml"), *path.rglob("*.yml")]
            files += [f for f in found if f.name != CONFIG_NAME and f.is_file()]
        elif path.is_file():
            folders.append(path.parent)
            sibling = path.parent / CONFIG_NAME
            config = config or (sibling if sibling.is_file() else None)
            if path.name != CONFIG_NAME:
                files.append(path)
        else:
            raise UsageError(f"no such file or folder: {path}")
    specs_root = config.parent if config is not None else (folders[0] if folders else Path())
    return SpecTree(sorted(set(files)), config, _absolute(specs_root).parent)


def read_source(tree: SpecTree, path: Path) -> Source | Diagnostic:
    """One file as a Source, or the diagnostic that says why it cannot be read."""
    shown = display(path)
    raw = load.read_spec(path, shown)
    return raw if isinstance(raw, Diagnostic) else Source(tree.name(path), raw, shown)


@dataclass
class DiskSources:
    """What ``read_tree`` found: the sources, the config, and the files it could not read."""

    tree: SpecTree
    specs: list[Source] = field(default_factory=list)
    config: Source | None = None
    problems: list[Diagnostic] = field(default_factory=list)


def read_tree(paths: Sequence[Path]) -> DiskSources:
    tree = discover(paths)
    result = DiskSources(tree)
    for path in tree.files:
        read = read_source(tree, path)
        if isinstance(read, Diagnostic):
            result.problems.append(read)
        else:
            result.specs.append(read)
    if tree.config is not None:
        read = read_source(tree, tree.config)
        if isinstance(read, Diagnostic):
            result.problems.append(read)
        else:
            result.config = read
    return result
