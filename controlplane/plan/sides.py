"""The two sides of a plan, compiled: the base revision from git, the head from disk.

A spec whose text and mlcp.yaml are the same on both sides compiles the same
(compiling one spec reads nothing else), so the base compiles only the specs
that differ and takes the rest from the head: a one-spec change in a
repository of a thousand specs compiles a thousand and one specs, not two
thousand. (The checks across files, such as duplicate names, then run on the
base's differing specs only; the head is checked in full.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from controlplane.compile import Compiled, compile_sources
from controlplane.diagnostics import Diagnostic, sort_diagnostics
from controlplane.model import Config
from controlplane.plan.gitread import RevisionSources, read_revision
from controlplane.sources import Source, read_tree


@dataclass
class Side:
    """One side: its models by name, the spec files that failed, and its config."""

    config: Config
    models: dict[str, Compiled] = field(default_factory=dict)
    failed: dict[str, list[Diagnostic]] = field(default_factory=dict)  # spec path -> errors
    warnings: dict[str, list[Diagnostic]] = field(default_factory=dict)  # spec path -> warnings
    general: list[Diagnostic] = field(default_factory=list)  # errors tied to no spec
    texts: dict[str, bytes] = field(default_factory=dict)  # spec path -> text
    config_text: bytes | None = None

    def owner_of(self, path: str) -> str | None:
        """The model a spec file declared on this side, if it compiled."""
        return next((n for n, c in self.models.items() if c.model.source == path), None)


def compile_side(specs: list[Source], config: Source | None, problems: list[Diagnostic]) -> Side:
    result = compile_sources(specs, config)
    side = Side(result.config, {c.model.name: c for c in result.compiled})
    side.texts = {s.path: s.raw() for s in specs}
    side.config_text = config.raw() if config else None
    path_of = {s.shown: s.path for s in specs}
    for diagnostic in sort_diagnostics([*problems, *result.diagnostics]):
        path = path_of.get(diagnostic.file)
        if path is None:
            if diagnostic.is_error:
                side.general.append(diagnostic)
        else:
            target = side.failed if diagnostic.is_error else side.warnings
            target.setdefault(path, []).append(diagnostic)
    return side


def read_head(specs: Path) -> tuple[Side, Path]:
    """The working tree's specs, compiled, and the project root they are named from."""
    read = read_tree([specs])
    return compile_side(read.specs, read.config, read.problems), read.tree.root


def read_base(specs: Path, root: Path, ref: str | None, head: Side) -> Side:
    """The specs at ``ref`` (an empty tree when None), compiled where they differ from the head."""
    revision = read_revision(specs, root, ref) if ref else RevisionSources()
    if not revision.specs:
        return Side(head.config)
    config_text = revision.config.raw() if revision.config else None
    if config_text != head.config_text:
        return compile_side(revision.specs, revision.config, [])
    differ = [s for s in revision.specs if head.texts.get(s.path) != s.raw()]
    side = compile_side(differ, revision.config, []) if differ else Side(head.config)
    side.general = []  # mlcp.yaml is the head's: its problems are reported there
    same = {s.path for s in revision.specs} - {s.path for s in differ}
    for name, compiled in head.models.items():
        if compiled.model.source in same:
            side.models.setdefault(name, compiled)
    for path in same & head.failed.keys():
        side.failed[path] = head.failed[path]
    side.texts = {s.path: s.raw() for s in revision.specs}
    return side
