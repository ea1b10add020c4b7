"""Compile and build speed: `mlcp validate` and `mlcp build` on N synthetic specs, as whole
processes, beside a baseline (the same commands from an earlier commit).

Usage: python benchmarks/compile.py [--specs 1000] [--runs 3] [--baseline REF | --no-baseline]

Each synthetic spec is one of the three examples under a new name, with a
varied feature list and thresholds, so that every rule runs on distinct
input. Each tree builds the synthetic specs made from its own examples
(`specs/` of that commit), so a baseline never meets a spec key it predates. Every figure is for the whole process (a new interpreter each run, as
CI and a developer run it), the median of the runs:

- cold build: `mlcp build` into an empty folder;
- warm build: the same again, nothing changed;
- one spec changed: one threshold of one spec edited, then `mlcp build`;
- check: `mlcp build --check` on the current tree, no base (so, since the
  check trusts nothing on disk, every model is rendered and compared);
- peak memory: the largest sum of resident memory over the process and its
  workers, sampled every 20 ms during the builds (and the largest single process);
- validate: `mlcp validate`.

Each step runs for this tree and for the baseline before the next step, so
that a machine busy for a while slows both alike; the two take turns at going
first (use an even number of runs). Before any timing, each tree validates its
specs once: a tree that refuses them stops the script with its diagnostics.

Beside wall-clock time each build's CPU time (user + system, workers
included) is printed, which a busy machine inflates much less. The baseline is
the tree of REF extracted with `git archive` into a temporary folder and run
with the same interpreter; by default REF is where this branch left `main`
(`git merge-base HEAD main`), or `HEAD~1` on `main` itself, so the default never
falls behind the examples.
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ("fraud-detector", "demand-forecast", "recommender")
MAIN = "main"
PAGE = os.sysconf("SC_PAGE_SIZE")


def make_specs(target: Path, count: int, tree: Path = ROOT) -> None:
    """``count`` synthetic specs in ``target``, made from the examples under ``tree``/specs."""
    shutil.copy(tree / "specs" / "mlcp.yaml", target / "mlcp.yaml")
    texts = {name: (tree / "specs" / f"{name}.yaml").read_text() for name in EXAMPLES}
    for i in range(count):
        base = EXAMPLES[i % len(EXAMPLES)]
        name = f"{base}-{i:05d}"
        text = texts[base].replace(f"name: {base}", f"name: {name}", 1)
        text = text.replace("numeric: [", f"numeric: [extra_{i % 97}, ", 1)
        text = text.replace("warn: 0.1,", f"warn: 0.1{i % 9},", 1)
        (target / f"{name}.yaml").write_text(text)


@dataclass
class Run:
    wall: float
    cpu: float  # user + system of the process and its children
    tree_rss: int  # bytes: the largest sum over the process tree
    max_rss: int  # bytes: the largest single process


def _tree(pid: int) -> list[int]:
    """The process and its descendants, from /proc (Linux)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    todo += [int(c) for c in children.read().split()]
        except OSError:
            continue
    return found


def _rss(pids: Sequence[int]) -> int:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm") as statm:
                total += int(statm.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
    return total


def timed(argv: list[str], cwd: Path, env: dict[str, str], accept: tuple[int, ...] = (0,)) -> Run:
    start = time.perf_counter()
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=output, stderr=output)
        peak = 0
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, _rss(_tree(process.pid)))
            time.sleep(0.02)
        elapsed = time.perf_counter() - start
        process.returncode = code = os.waitstatus_to_exitcode(status)
        if code not in accept:
            output.seek(0)
            text = output.read().decode(errors="replace")
            sys.exit(f"{' '.join(argv)} failed ({code}):\n{text[-3000:]}")
    return Run(elapsed, usage.ru_utime + usage.ru_stime, peak, usage.ru_maxrss * 1024)


@dataclass
class Figures:
    runs: dict[str, list[Run]] = field(default_factory=dict)

    def add(self, name: str, run: Run) -> None:
        self.runs.setdefault(name, []).append(run)

    def median(self, name: str, of: Callable[[Run], float]) -> float:
        return statistics.median(of(r) for r in self.runs[name])

    def peak(self, of: Callable[[Run], int]) -> int:
        return max(of(r) for runs in self.runs.values() for r in runs)


_EDITS = itertools.count(1)


def toggle_one_spec(specs: Path) -> None:
    """Edit one threshold of one spec, to a value it did not have the run before."""
    path = sorted(specs.glob("fraud-detector-*.yaml"))[0]
    value = f"critical: 0.2{next(_EDITS) % 9 + 1}}}"  # within the example policy (<= 0.3)
    text, count = re.subn(r"critical: 0\.[23]\d*\}", value, path.read_text(), count=1)
    assert count == 1, f"no PSI critical threshold to edit in {path}"
    path.write_text(text)


def measure(
    python: list[str], work: Path, envs: dict[str, dict[str, str]], runs: int
) -> dict[str, Figures]:
    """Each step for every variant in turn, so that a machine busy for a while slows
    them alike; each variant works in its own folder ``work/VARIANT``, on its own
    specs, since a build also writes files beside its output (.github/CODEOWNERS).
    The variants take turns at going first (the first cold build of a run follows the
    removal of both output trees, whose blocks the file system is still freeing)."""
    mlcp = [*python, "-m", "controlplane"]
    figures = {variant: Figures() for variant in envs}
    order = list(envs)

    def step(name: str, *args: str) -> None:
        for variant in order:
            command = [*mlcp, args[0], "specs", *args[1:]]
            if args[0] == "build":
                command += ["--out", "out"]
            figures[variant].add(name, timed(command, work / variant, envs[variant]))

    for _ in range(runs):
        for variant in envs:
            shutil.rmtree(work / variant / "out", ignore_errors=True)
        os.sync()  # the removals done before the first build starts
        step("cold build", "build")
        step("warm build, no change", "build")
        for variant in envs:
            toggle_one_spec(work / variant / "specs")
        step("one spec changed", "build")
        step("check, no base", "build", "--check")
        step("validate", "validate")
        order.reverse()
    return figures


def default_baseline() -> str:
    """Where this branch left main; on main itself (or with no main) the commit before,
    and HEAD itself in a clone that holds no earlier commit."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    head = git("rev-parse", "HEAD")
    fork = git("merge-base", "HEAD", MAIN)
    if fork and fork != head:
        return fork[:12]
    return "HEAD~1" if git("rev-parse", "--verify", "--quiet", "HEAD~1^{commit}") else "HEAD"


def check_trees(python: list[str], work: Path, envs: dict[str, dict[str, str]]) -> None:
    """Every tree accepts its own specs, or the script stops with that tree's diagnostics."""
    for variant, env in envs.items():
        argv = [*python, "-m", "controlplane", "validate", "specs"]
        done = subprocess.run(argv, cwd=work / variant, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(
                f"the {variant} tree refuses its specs:\n{(done.stdout + done.stderr)[-3000:]}"
            )


def checkout(ref: str, target: Path) -> Path:
    """The tree of `ref`, extracted without touching the repository's work trees."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def loader_ratio(folder: Path, sample: int) -> tuple[float, float]:
    """In-process: seconds to load `sample` specs with libyaml's parser, and with the pure one."""
    from controlplane.spec import load

    files = sorted(folder.glob("*-*.yaml"))[:sample]

    def run() -> float:
        start = time.perf_counter()
        for path in files:
            load.load_document(path, path.name)
        return time.perf_counter() - start

    fast = run()
    saved, load.CParser = load.CParser, None
    try:
        slow = run()
    finally:
        load.CParser = saved
    return fast, slow


ROWS = (
    ("cold build", 6.0),
    ("warm build, no change", None),
    ("one spec changed", 3.0),
    ("check, no base", None),
    ("validate", 2.0),
)


def report(specs: int, runs: int, new: Figures, old: Figures | None, ref: str) -> None:
    mb = 1024 * 1024
    head = f"{'':24} {'this tree':>20}"
    if old is not None:
        head += f" {'baseline ' + ref:>20} {'ratio':>7}"
    print(f"specs: {specs}, runs: {runs} (medians; wall clock, and CPU user+system)")
    print(head + "   goal")
    for name, goal in ROWS:
        line = f"{name:24} {_cell(new, name):>20}"
        if old is not None:
            ratio = old.median(name, lambda r: r.wall) / new.median(name, lambda r: r.wall)
            line += f" {_cell(old, name):>20} {ratio:6.1f}x"
        print(line + (f"   < {goal:g} s" if goal else ""))
    line = f"{'peak memory, tree':24} {new.peak(lambda r: r.tree_rss) / mb:>17.0f} MB"
    if old is not None:
        ratio = old.peak(lambda r: r.tree_rss) / new.peak(lambda r: r.tree_rss)
        line += f" {old.peak(lambda r: r.tree_rss) / mb:>17.0f} MB {ratio:6.1f}x"
    print(line + "   < 400 MB")
    line = f"{'peak memory, 1 process':24} {new.peak(lambda r: r.max_rss) / mb:>17.0f} MB"
    if old is not None:
        line += f" {old.peak(lambda r: r.max_rss) / mb:>17.0f} MB"
    print(line)


def _cell(figures: Figures, name: str) -> str:
    wall = figures.median(name, lambda r: r.wall)
    cpu = figures.median(name, lambda r: r.cpu)
    return f"{wall:6.2f} s ({cpu:5.2f} cpu)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--baseline", help="git ref to compare with (default: merge-base with main, or HEAD~1)"
    )
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    python = [sys.executable]
    baseline = args.baseline or default_baseline()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "new" / "specs").mkdir(parents=True)
        make_specs(work / "new" / "specs", args.specs)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        imports = [
            timed([*python, "-c", "import controlplane.cli"], work, env).wall
            for _ in range(args.runs)
        ]
        start = [timed([*python, "-c", "pass"], work, env).wall for _ in range(args.runs)]
        envs = {"new": env}
        if not args.no_baseline:
            (work / "baseline").mkdir()
            source = checkout(baseline, work / "baseline")
            envs["old"] = {**os.environ, "PYTHONPATH": str(source)}
            (work / "old" / "specs").mkdir(parents=True)
            make_specs(work / "old" / "specs", args.specs, source)
        check_trees(python, work, envs)
        figures = measure(python, work, envs, args.runs)
        new, old = figures["new"], figures.get("old")
        fast, slow = loader_ratio(work / "new" / "specs", 200)
    report(args.specs, args.runs, new, old, baseline)
    print(f"python -c pass (interpreter start):  {statistics.median(start):6.3f} s")
    print(f"import controlplane.cli:             {statistics.median(imports):6.3f} s")
    print(
        f"loader, 200 specs in-process:        {fast:6.3f} s libyaml events vs {slow:6.3f} s "
        f"pure-Python parser (baseline): {slow / fast:.0f}x"
    )
    load = os.getloadavg()
    print(
        f"load average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} CPUs"
    )


if __name__ == "__main__":
    main()
