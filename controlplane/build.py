"""`mlcp build`: compile, render every artifact kind, write (or check) the output tree."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from controlplane.compile import Compilation, compile_paths
from controlplane.perf import no_cyclic_gc
from controlplane.render import Artifact, Renderer, monitoring, schema
from controlplane.write import WriteResult, plan_writes, write_artifacts

RENDERERS: tuple[Renderer, ...] = (schema.render, monitoring.render)


@dataclass
class BuildResult:
    compilation: Compilation
    out: Path
    artifacts: list[Artifact] = field(default_factory=list)
    writes: WriteResult | None = None

    def stats_by_model(self) -> dict[str, dict[str, int]]:
        table: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for artifact in self.artifacts:
            for key, count in artifact.stats:
                table[artifact.model or "(shared)"][key] += count
            table[artifact.model or "(shared)"]["files"] += 1
        return {model: dict(counts) for model, counts in sorted(table.items())}


def render_all(compilation: Compilation) -> list[Artifact]:
    artifacts: list[Artifact] = []
    for renderer in RENDERERS:
        artifacts.extend(renderer(compilation.models, compilation.config))
    paths = [a.path for a in artifacts]
    duplicates = {p for p in paths if paths.count(p) > 1}
    if duplicates:
        raise RuntimeError(f"two renderers produced the same file: {sorted(duplicates)}")
    return sorted(artifacts, key=lambda a: a.path)


def build(paths: Sequence[Path | str], out: Path | None, *, check: bool) -> BuildResult:
    """Compile; if clean, render and write (or, with check, only compare)."""
    compilation = compile_paths(paths)
    target = out or compilation.output_dir  # build.out is relative to the project root
    result = BuildResult(compilation, target)
    if not compilation.ok:
        return result
    with no_cyclic_gc():
        result.artifacts = render_all(compilation)
    writer = plan_writes if check else write_artifacts
    result.writes = writer(target, result.artifacts)
    return result
