"""The two sides of a plan, compiled: the base revision from git, the head from disk.

The head compiles as `mlcp validate` compiles it (over worker processes when
there are enough specs). A spec whose text and mlcp.yaml are the same on both
sides compiles the same (compiling one spec reads nothing else), so the base
compiles only the specs that differ and takes the rest from the head: a
one-spec change in a repository of a thousand specs compiles a thousand and
one specs, not two thousand. (The checks across files, such as duplicate
names, then run on the base's differing specs only; the head is checked in
full.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from controlplane import workers
from controlplane.compile import Checked, Compilation, Compiled, compile_sources
from controlplane.diagnostics import Diagnostic
from controlplane.gitread import RevisionSources, read_revision
from controlplane.model import Config, Model
from controlplane.sources import Source, read_tree


@dataclass
class Side:
    """One side: its models by name, the spec files that failed, and its config."""

    config: Config
    models: dict[str, Model] = field(default_factory=dict)
    failed: dict[str, list[Diagnostic]] = field(default_factory=dict)  # spec path -> errors
    warnings: dict[str, list[Diagnostic]] = field(default_factory=dict)  # spec path -> warnings
    general: list[Diagnostic] = field(default_factory=list)  # errors tied to no spec
    sources: dict[str, Source] = field(default_factory=dict)  # spec path -> its source
    config_source: Source | None = None
    compiled: Compilation[Checked] | None = None  # the head's whole compilation, as a build's

    def owner_of(self, path: str) -> str | None:
        """The model a spec file declared on this side, if it compiled."""
        return next((n for n, m in self.models.items() if m.source == path), None)

    def gpu_declared(self, model: Model) -> bool:
        """Whether the spec sets `task.gpu` (itself or through its tier's default).

        Only the spec layer knows it: the one spec is compiled again, which costs
        milliseconds, rather than carrying the spec of every model.
        """
        source = self.sources.get(model.source)
        if source is None:
            return True  # no spec to ask: claim nothing
        compiled = compile_sources([source], self.config_source).compiled
        return bool(compiled and compiled[0].spec.task.gpu)


def _side(
    result: Compilation[Checked] | Compilation[Compiled],
    specs: Sequence[Source],
    config: Source | None,
) -> Side:
    side = Side(result.config, {c.model.name: c.model for c in result.compiled})
    side.sources = {s.path: s for s in specs}
    side.config_source = config
    path_of = {s.shown: s.path for s in specs}
    for diagnostic in result.diagnostics:
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
    result = workers.check([specs])
    side = _side(result, read.specs, read.config)
    side.compiled = result
    return side, read.tree.root


def read_base(specs: Path, root: Path, ref: str | None, head: Side) -> Side:
    """The specs at ``ref`` (an empty tree when None), compiled where they differ from the head."""
    revision = read_revision(specs, root, ref) if ref else RevisionSources()
    if not revision.specs:
        return Side(head.config)
    config_raw = revision.config.raw() if revision.config else None
    head_config = head.config_source.raw() if head.config_source else None
    if config_raw != head_config:
        compiled = compile_sources(revision.specs, revision.config)
        return _side(compiled, revision.specs, revision.config)
    differ = [s for s in revision.specs if _raw(head.sources.get(s.path)) != s.raw()]
    side = Side(head.config)
    if differ:
        compiled = compile_sources(differ, revision.config)
        side = _side(compiled, differ, revision.config)
        side.general = []  # mlcp.yaml is the head's: its problems are reported there
    same = {s.path for s in revision.specs} - {s.path for s in differ}
    for name, model in head.models.items():
        if model.source in same:
            side.models.setdefault(name, model)
    for path in same & head.failed.keys():
        side.failed[path] = head.failed[path]
    side.sources = {s.path: s for s in revision.specs}
    side.config_source = revision.config
    return side


def _raw(source: Source | None) -> bytes | None:
    return source.raw() if source else None
