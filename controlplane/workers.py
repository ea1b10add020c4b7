"""Worker processes for a repository large enough to want them, and the compiler spread
over them.

Each worker compiles a share of the specs (`controlplane.compile.check_sources`)
and sends back what passed as `Checked` records with their diagnostics; the checks
across files run in the parent on those. `mlcp validate` and `mlcp build` compile
this way; a build then renders in the same workers.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from controlplane.compile import (
    Checked,
    Compilation,
    Each,
    Outcome,
    check_paths,
    check_sources,
)
from controlplane.sources import Source, discover
from controlplane.spec.config import ConfigSpec
from controlplane.spec.load import Document

# Below this many specs (or models to render), one process is about as fast as a pool
# (a model renders in about 12 ms, a spec compiles in about 2; forking workers and
# sending them work costs about 0.1 s) and needs less memory.
SERIAL_BELOW = 32
# Specs per compiling task: large enough that a task outweighs its messages.
MAX_COMPILE_CHUNK = 32


def default_jobs() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@contextmanager
def pool(paths: Sequence[Path | str], jobs: int) -> Iterator[ProcessPoolExecutor | None]:
    """Worker processes when there are enough specs to pay for them, started before
    anything is compiled: a worker forked then holds the imported code and nothing else."""
    if jobs <= 1 or _spec_count(paths) < SERIAL_BELOW:
        yield None
        return
    with ProcessPoolExecutor(jobs, mp_context=_context()) as executor:
        executor.submit(int)  # a forking pool starts every worker at its first task
        yield executor


def _spec_count(paths: Sequence[Path | str]) -> int:
    """How many specs there are: enough to decide whether workers pay."""
    return len(discover([Path(p) for p in paths]).files)


def _context() -> multiprocessing.context.BaseContext:
    # Fork where there is one: a worker starts with the code already imported.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def compiler(executor: ProcessPoolExecutor, jobs: int) -> Each[Checked]:
    """Compile the specs in the workers, each a share, in order."""

    def each(
        sources: list[Source], config: Source | None, _: ConfigSpec, __: Document | None
    ) -> list[Outcome[Checked]]:
        size = max(1, min(MAX_COMPILE_CHUNK, len(sources) // (jobs * 4)))
        chunks = [sources[i : i + size] for i in range(0, len(sources), size)]
        futures = [executor.submit(check_sources, chunk, config) for chunk in chunks]
        return [outcome for future in futures for outcome in future.result()]

    return each


def compile_in(
    executor: ProcessPoolExecutor | None, paths: Sequence[Path | str], jobs: int
) -> Compilation[Checked]:
    """`check_paths`, in the workers when there are any."""
    return check_paths(paths, None if executor is None else compiler(executor, jobs))


def check(paths: Sequence[Path | str], jobs: int | None = None) -> Compilation[Checked]:
    """Compile the specs under `paths` for their diagnostics, over `jobs` processes
    (default: the CPUs) when there are enough of them."""
    workers = jobs or default_jobs()
    with pool(paths, workers) as executor:
        return compile_in(executor, paths, workers)
