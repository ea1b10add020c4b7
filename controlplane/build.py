"""`mlcp build`: compile, render what changed, write (or check) the output tree.

A build renders in units: one per model and one for the files made from every
model together (`buildcache.SHARED`). A unit whose inputs are those of the
last build, and whose files are still as that build wrote them, is not
rendered again (see `controlplane.buildcache`). The others are rendered in
worker processes when there are enough of them to pay for starting the
processes, and each unit's files are written as soon as they are rendered:
what the build keeps is one `FileEntry` per file, so memory does not grow
with the number of models.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from controlplane.buildcache import SHARED, Stats, inputs_record, read_previous, unit_keys
from controlplane.buildcache import unit_stats as sum_stats
from controlplane.compile import Compilation, compile_paths
from controlplane.model import Config, Model
from controlplane.perf import no_cyclic_gc
from controlplane.render import Artifact, ModelRenderer, Renderer, monitoring, schema
from controlplane.write import FileEntry, WriteResult, finish, manifest_text, put_artifacts

PER_MODEL: tuple[ModelRenderer, ...] = (monitoring.render_model,)
SHARED_RENDERERS: tuple[Renderer, ...] = (schema.render, monitoring.render_shared)
# Below this many units to render, one process is faster than starting a pool (a
# model renders in about 10 ms; a pool of forked workers takes about 50 ms to start).
SERIAL_BELOW = 16
# Units per task: large enough that a task outweighs its messages, small enough that
# the last tasks of the workers end together.
MAX_CHUNK = 16


@dataclass
class BuildResult:
    compilation: Compilation
    out: Path
    files: list[FileEntry] = field(default_factory=list)  # every file but the manifest, by path
    stats: dict[str, Stats] = field(default_factory=dict)  # per unit: e.g. {"rules": 40}
    rendered: list[str] = field(default_factory=list)  # units rendered (the rest were cached)
    writes: WriteResult | None = None

    def stats_by_model(self) -> dict[str, dict[str, int]]:
        table = {unit: dict(stats) for unit, stats in self.stats.items()}
        for entry in self.files:
            counts = table.setdefault(entry.model or SHARED, {})
            counts["files"] = counts.get("files", 0) + 1
        return {unit: counts for unit, counts in sorted(table.items()) if counts}


def default_jobs() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def build(
    paths: Sequence[Path | str], out: Path | None, *, check: bool, jobs: int | None = None
) -> BuildResult:
    """Compile; if clean, render and write (or, with check, only compare)."""
    compilation = compile_paths(paths)
    target = out or Path(compilation.config.output_dir)
    result = BuildResult(compilation, target)
    if not compilation.ok:
        return result
    with no_cyclic_gc():
        _render_and_write(result, check=check, jobs=jobs or default_jobs())
    return result


def _render_and_write(result: BuildResult, *, check: bool, jobs: int) -> None:
    models, config, out = result.compilation.models, result.compilation.config, result.out
    keys = unit_keys(models, config)
    previous = read_previous(out)
    stale: list[str] = []
    for unit in [SHARED, *sorted(m.name for m in models)]:
        reused = previous.reusable(out, unit, keys[unit])
        if reused is None:
            stale.append(unit)
        else:
            result.files += reused.entries
            result.stats[unit] = reused.stats
    job = Job(models, config, out, check)
    for unit, entries, stats in render_units(job, stale, jobs):
        result.files += entries
        result.stats[unit] = stats
        result.rendered.append(unit)
    result.files.sort(key=lambda e: e.path)
    _refuse_duplicates(result.files)
    manifest = manifest_text(result.files, inputs_record(keys, result.stats))
    result.writes = finish(out, result.files, manifest, previous.files, check=check)


def _refuse_duplicates(entries: Sequence[FileEntry]) -> None:
    paths = [e.path for e in entries]
    duplicates = sorted({a for a, b in itertools.pairwise(paths) if a == b})
    if duplicates:
        raise RuntimeError(f"two renderers produced the same file: {duplicates}")


# --- rendering units, in this process or in workers -----------------------------------------


@dataclass(frozen=True)
class Job:
    """What rendering a unit needs; handed to each worker once, when it starts."""

    models: tuple[Model, ...]
    config: Config
    out: Path
    check: bool


UnitResult = tuple[str, list[FileEntry], Stats]


def render_unit(job: Job, unit: str, by_name: dict[str, Model]) -> UnitResult:
    """Render one unit and write (or compare) its files at once."""
    if unit == SHARED:
        artifacts = [a for r in SHARED_RENDERERS for a in r(job.models, job.config)]
    else:
        artifacts = [a for r in PER_MODEL for a in r(by_name[unit], job.config)]
    _check_owner(unit, artifacts)
    stats = sum_stats(pair for artifact in artifacts for pair in artifact.stats)
    return unit, put_artifacts(job.out, artifacts, check=job.check), stats


def _check_owner(unit: str, artifacts: Sequence[Artifact]) -> None:
    """The manifest groups files by model: a unit's files must name it."""
    owner = None if unit == SHARED else unit
    wrong = [a.path for a in artifacts if a.model != owner]
    if wrong:
        raise RuntimeError(f"files rendered for {unit} name another model: {wrong}")


def render_units(job: Job, units: list[str], jobs: int) -> Iterator[UnitResult]:
    """Each unit's result, in the order of `units`."""
    if jobs <= 1 or len(units) < SERIAL_BELOW:
        by_name = {m.name: m for m in job.models}
        for unit in units:
            yield render_unit(job, unit, by_name)
        return
    size = max(1, min(MAX_CHUNK, len(units) // (jobs * 4)))
    chunks = [units[i : i + size] for i in range(0, len(units), size)]
    with ProcessPoolExecutor(
        jobs, mp_context=_context(), initializer=_start_worker, initargs=(job,)
    ) as pool:
        for results in pool.map(_render_chunk, chunks):
            yield from results


def _context() -> multiprocessing.context.BaseContext:
    # A forked worker inherits the imported modules and the compiled models: no
    # interpreter start, no pickling. Elsewhere, spawn (the models are pickled once).
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


_WORKER: tuple[Job, dict[str, Model]] | None = None


def _start_worker(job: Job) -> None:
    global _WORKER
    _WORKER = (job, {m.name: m for m in job.models})


def _render_chunk(units: list[str]) -> list[UnitResult]:
    assert _WORKER is not None, "a worker renders only after _start_worker"
    job, by_name = _WORKER
    with no_cyclic_gc():
        return [render_unit(job, unit, by_name) for unit in units]
