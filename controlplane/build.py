"""`mlcp build`: compile, render what changed, write (or check) the output tree.

A build renders in units: one per model and one for the files made from every
model together (`buildcache.SHARED`). A unit whose inputs are those of the
last build, and whose files are still as that build wrote them, is not
rendered again (see `controlplane.buildcache`). `--check` trusts no such
record on disk: it renders every unit but those whose inputs are the base
revision's, and compares bytes (see `controlplane.buildcheck`). The others are rendered in
worker processes when there are enough of them to pay for starting the
processes, and each unit's files are written as soon as they are rendered:
what the build keeps is one `FileEntry` per file, so memory does not grow
with the number of models.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from controlplane import workers as parallel
from controlplane.buildcache import (
    SHARED,
    Previous,
    Reused,
    Stats,
    inputs_record,
    read_previous,
    unit_keys,
)
from controlplane.buildcache import unit_stats as sum_stats
from controlplane.buildcheck import base_manifest, files_under, verify
from controlplane.compile import Checked, Compilation
from controlplane.errors import UsageError
from controlplane.infra import artifacts as infra
from controlplane.model import Config, Model
from controlplane.perf import no_cyclic_gc
from controlplane.render import (
    Artifact,
    ModelRenderer,
    Renderer,
    codeowners,
    monitoring,
    oncall,
    pipeline,
    runbook,
    schema,
)
from controlplane.write import (
    FileEntry,
    WriteResult,
    confine_output,
    finish,
    manifest_text,
    put_artifacts,
    put_owned,
)

PER_MODEL: tuple[ModelRenderer, ...] = (
    monitoring.render_model,
    runbook.render_model,
    pipeline.render_model,
    infra.render_model,
)
SHARED_RENDERERS: tuple[Renderer, ...] = (schema.render, monitoring.render_shared, oncall.render)
# Units per task: large enough that a task outweighs its messages, small enough that
# the last tasks of the workers end together.
MAX_CHUNK = 16


@dataclass
class BuildResult:
    compilation: Compilation[Checked]
    out: Path
    files: list[FileEntry] = field(default_factory=list)  # every file but the manifest, by path
    stats: dict[str, Stats] = field(default_factory=dict)  # per unit: e.g. {"rules": 40}
    rendered: list[str] = field(default_factory=list)  # units rendered (the rest were cached,
    # or with --check, taken from the base revision's manifest)
    writes: WriteResult | None = None

    def stats_by_model(self) -> dict[str, dict[str, int]]:
        table = {unit: dict(stats) for unit, stats in self.stats.items()}
        for entry in self.files:
            counts = table.setdefault(entry.model or SHARED, {})
            counts["files"] = counts.get("files", 0) + 1
        return {unit: counts for unit, counts in sorted(table.items()) if counts}


def build(
    paths: Sequence[Path | str],
    out: Path | None,
    *,
    check: bool,
    base: str | None = None,
    jobs: int | None = None,
) -> BuildResult:
    """Compile; if clean, render and write (or, with check, only compare). With check,
    `base` is the git revision whose manifest the check may trust (see buildcheck)."""
    if base is not None and not check:
        raise UsageError("--base is what --check may trust: use it with --check")
    count = jobs or parallel.default_jobs()
    with parallel.pool(paths, count) as pool:
        compilation = parallel.compile_in(pool, paths, count)
        target = out or compilation.output_dir  # build.out is relative to the project root
        result = BuildResult(compilation, target)
        if compilation.ok:
            configured = None if out else compilation.config.output_dir
            confine_output(target, compilation.root, [Path(p) for p in paths], configured)
            render_tree(result, check=check, base=base, pool=pool, workers=count)
    return result


def render_tree(
    result: BuildResult,
    *,
    check: bool,
    base: str | None = None,
    pool: ProcessPoolExecutor | None = None,
    workers: int = 1,
) -> None:
    """Render the compiled specs of `result` into `result.out` (with check, only compare)."""
    previous = base_manifest(result.out, base) if check else read_previous(result.out)
    with no_cyclic_gc():
        _render_and_write(result, previous, check=check, pool=pool, workers=workers)


def _render_and_write(
    result: BuildResult,
    previous: Previous,
    *,
    check: bool,
    pool: ProcessPoolExecutor | None,
    workers: int,
) -> None:
    models, config, out = result.compilation.models, result.compilation.config, result.out
    keys = unit_keys(models, config)
    stale: list[Model] = []
    stale_shared = False
    for model in [None, *sorted(models, key=lambda m: m.name)]:
        unit = SHARED if model is None else model.name
        reused = _reuse(previous, out, unit, keys[unit], check=check)
        if reused is not None:
            result.files += reused.entries
            result.stats[unit] = reused.stats
        elif model is None:
            stale_shared = True
        else:
            stale.append(model)
    job = Job(config, out, check)
    rendering = render_units(job, models, stale, shared=stale_shared, pool=pool, workers=workers)
    for unit, entries, stats in rendering:
        result.files += entries
        result.stats[unit] = stats
        result.rendered.append(unit)
    if stale_shared:
        expected = {e.path: e.sha256 for e in result.files}
        _, entries, stats = render_infra_resources(job, models, expected)
        result.files += entries
        result.stats[SHARED] = sum_stats([*result.stats[SHARED].items(), *stats.items()])
    result.files.sort(key=lambda e: e.path)
    _refuse_duplicates(result.files)
    owned = _put_owned(result, check=check)
    manifest = manifest_text(result.files, inputs_record(keys, result.stats), owned)
    # A build removes only what a build made; a check accounts for every file on disk.
    present = files_under(out) if check else None
    result.writes = finish(
        out, result.files, manifest, previous.files, check=check, present=present
    )
    result.writes.owned = owned


def _reuse(previous: Previous, out: Path, unit: str, key: str, *, check: bool) -> Reused | None:
    """A unit not to render: with check, one whose key is the base's, its files on disk
    hashed; without, one the last build left intact (the cache may trust sizes and times)."""
    if not check:
        return previous.reusable(out, unit, key)
    recorded = previous.recorded(unit, key)
    if recorded is None:
        return None
    return Reused(verify(out, recorded.entries), recorded.stats)


def _put_owned(result: BuildResult, *, check: bool) -> list[FileEntry]:
    """CODEOWNERS, at the project root; always rendered: one small file, read from every spec."""
    root = result.compilation.root
    if root is None:  # sources from elsewhere (a git object) have no tree to own files in
        return []
    models, config = result.compilation.models, result.compilation.config
    generated = {entry.path: entry.model for entry in result.files}
    return [put_owned(root, codeowners.render(models, config, generated), check=check)]


def _refuse_duplicates(entries: Sequence[FileEntry]) -> None:
    paths = [e.path for e in entries]
    duplicates = sorted({a for a, b in itertools.pairwise(paths) if a == b})
    if duplicates:
        raise RuntimeError(f"two renderers produced the same file: {duplicates}")


# --- rendering units, in this process or in workers -----------------------------------------


@dataclass(frozen=True)
class Job:
    """What rendering any unit needs besides its models."""

    config: Config
    out: Path
    check: bool


UnitResult = tuple[str, list[FileEntry], Stats]


def render_model(job: Job, model: Model) -> UnitResult:
    """Render one model and write (or compare) its files at once."""
    artifacts = [a for renderer in PER_MODEL for a in renderer(model, job.config)]
    return _put(job, model.name, artifacts)


def render_shared(job: Job, models: Sequence[Model]) -> UnitResult:
    """Render the files made from every model, and write (or compare) them."""
    artifacts = [a for renderer in SHARED_RENDERERS for a in renderer(models, job.config)]
    return _put(job, SHARED, artifacts)


def _put(job: Job, unit: str, artifacts: Sequence[Artifact]) -> UnitResult:
    # The manifest groups files by model: a unit's files must name it.
    owner = None if unit == SHARED else unit
    wrong = [a.path for a in artifacts if a.model != owner]
    if wrong:
        raise RuntimeError(f"files rendered for {unit} name another model: {wrong}")
    stats = sum_stats(pair for artifact in artifacts for pair in artifact.stats)
    return unit, put_artifacts(job.out, artifacts, check=job.check), stats


def render_units(
    job: Job,
    models: Sequence[Model],
    stale: Sequence[Model],
    *,
    shared: bool,
    pool: ProcessPoolExecutor | None = None,
    workers: int = 1,
) -> Iterator[UnitResult]:
    """Render the stale models (in the pool, when given and worth it) and, if `shared`,
    the shared files (here, while the workers render)."""
    if pool is None or len(stale) < parallel.SERIAL_BELOW:
        if shared:
            yield render_shared(job, models)
        for model in stale:
            yield render_model(job, model)
        return
    size = max(1, min(MAX_CHUNK, len(stale) // (workers * 4)))
    chunks = [tuple(stale[i : i + size]) for i in range(0, len(stale), size)]
    futures = [pool.submit(_render_chunk, job, chunk) for chunk in chunks]
    if shared:
        yield render_shared(job, models)
    for future in futures:
        yield from future.result()


def render_infra_resources(
    job: Job, models: Sequence[Model], expected: Mapping[str, str]
) -> UnitResult:
    """infra/resources.json, a shared file, from each model's preview as this build left it
    on disk (rendered now, or intact from the last build): previewing every model again
    would cost the whole build what one changed spec costs. `expected` is each file's
    sha256 as this build makes it: with check, a preview on disk that is not (edited,
    or missing) is previewed again, so that nothing on disk decides what is expected."""
    fragments: dict[str, str] = {}
    for model in models:
        path = infra.model_path(model.name)
        try:
            data: bytes | None = (job.out / path).read_bytes()
        except FileNotFoundError:
            data = None
        if job.check and (data is None or hashlib.sha256(data).hexdigest() != expected.get(path)):
            data = infra.render_model(model, job.config)[0].content.encode("utf-8")
        if data is not None:
            fragments[model.name] = data.decode("utf-8")
    return _put(job, SHARED, [infra.render_resources(models, job.config, fragments)])


def _render_chunk(job: Job, models: tuple[Model, ...]) -> list[UnitResult]:
    with no_cyclic_gc():
        return [render_model(job, model) for model in models]
