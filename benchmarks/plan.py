"""Plan speed: `mlcp plan --base base` of a one-spec change in a repository of N specs.

Usage: python benchmarks/plan.py [--specs 1000] [--runs 3]

Makes a git repository of N synthetic specs (those of benchmarks/compile.py),
commits them on a branch `base`, changes one threshold of one spec in the work
tree, and times `mlcp plan --base base` as a whole process (a new interpreter
each run) in each format, with a phase breakdown measured in this process
(reading git, compiling, rendering, diffing). Goal: under 5 s for 1,000 specs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.compile import make_specs, timed, toggle_one_spec  # noqa: E402


def make_repository(root: Path, count: int) -> None:
    specs = root / "specs"
    specs.mkdir(parents=True)
    make_specs(specs, count)
    for command in (
        ["git", "init", "-q"],
        ["git", "add", "-A"],
        ["git", "-c", "user.name=b", "-c", "user.email=b@example.com", "commit", "-qm", "base"],
        ["git", "branch", "base"],
    ):
        subprocess.run(command, cwd=root, check=True)
    toggle_one_spec(specs)


def phases(root: Path) -> dict[str, float]:
    """Seconds of each phase of one plan, in this process (imports already paid)."""
    from controlplane.plan import planner, sides
    from controlplane.plan.markdown import render_markdown

    os.chdir(root)
    specs = Path("specs")
    out: dict[str, float] = {}
    start = time.perf_counter()
    head, project = sides.read_head(specs)
    out["read and compile head"] = time.perf_counter() - start
    start = time.perf_counter()
    base = sides.read_base(specs, project, "base", head)
    out["read base from git, compile what differs"] = time.perf_counter() - start
    start = time.perf_counter()
    plan = planner._plan(base, head, "base")
    out["render changed models and shared files, diff"] = time.perf_counter() - start
    start = time.perf_counter()
    render_markdown(plan)
    out["markdown"] = time.perf_counter() - start
    assert [m.name for m in plan.models] == [m.name for m in plan.models if m.change == "update"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        make_repository(root, args.specs)
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        print(f"{args.specs} specs, one changed; medians of {args.runs} runs (whole process)")
        for fmt in ("text", "markdown", "json"):
            argv = [sys.executable, "-m", "controlplane", "plan", "--base", "base", "--format", fmt]
            runs = [timed(argv, root, env) for _ in range(args.runs)]
            wall = statistics.median(r.wall for r in runs)
            cpu = statistics.median(r.cpu for r in runs)
            peak = max(r.tree_rss for r in runs) / 2**20
            print(f"  --format {fmt:8}  {wall:6.2f} s  ({cpu:.2f} s CPU, {peak:.0f} MB peak)")
        print("phases, in one process:")
        for name, seconds in phases(root).items():
            print(f"  {name:48} {seconds:6.2f} s")


if __name__ == "__main__":
    main()
