"""Peak memory of `mlcp profile` on a 1,000,000 x 50 Parquet file, in 1 and in 8 row
groups, for this tree and beside it a baseline (default: main).

Usage: python benchmarks/profile_memory.py [--rows 1000000] [--groups 1 8] [--runs 1]
                                          [--baseline REF | --no-baseline]

The data is benchmarks/monitor_data.py's wide frame (40 numeric columns: normal,
lognormal and integer-valued, 1 % nulls; 10 categorical ones), the model the
fraud-detector example with those 50 features. Each profile is a whole process
(`python -m controlplane profile`), started by a small launcher that reports the
peak resident set of that process alone (``os.wait4``; a child forked from this
script would start with this script's pages counted) and its CPU time, which a
busy machine inflates much less than wall-clock time. The baseline is the tree of
REF extracted with `git archive`, run with the same interpreter; the two trees
take turns at going first. The last column says whether both wrote the same
profile.json.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from compile import checkout
from monitor_data import CATEGORICAL, NUMERIC, wide_frame

ROOT = Path(__file__).resolve().parent.parent
MB = 1 << 20

LAUNCH = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[2:], stdout=open(sys.argv[1], "wb"), stderr=subprocess.STDOUT)
_, status, usage = os.wait4(child.pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime)
"""


def make_specs(folder: Path) -> Path:
    """The fraud-detector example with the wide frame's 50 features."""
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "specs" / "mlcp.yaml", folder / "mlcp.yaml")
    text = (ROOT / "specs" / "fraud-detector.yaml").read_text(encoding="utf-8")
    text = re.sub(r"numeric: \[.*\]", f"numeric: [{', '.join(NUMERIC)}]", text, count=1)
    text = re.sub(r"categorical: \[.*\]", f"categorical: [{', '.join(CATEGORICAL)}]", text)
    text = re.sub(r"\n  overrides:\n    amount: .*", "", text, count=1)
    (folder / "fraud-detector.yaml").write_text(text, encoding="utf-8")
    return folder


def profile(
    python: str, tree: Path, specs: Path, data: Path, out: Path
) -> tuple[int, float, float]:
    """Peak RSS (bytes), CPU seconds and wall seconds of one `mlcp profile` process."""
    argv = [python, "-m", "controlplane", "profile", "--model", "fraud-detector"]
    argv += ["--specs", str(specs), "--out", str(out), "--no-progress", str(data)]
    log = out.with_suffix(".log")
    env = {**os.environ, "PYTHONPATH": str(tree)}
    start = time.perf_counter()
    done = subprocess.run(
        [python, "-c", LAUNCH, str(log), *argv], cwd=tree, env=env, capture_output=True, text=True
    )
    wall = time.perf_counter() - start
    fields = done.stdout.split()
    if done.returncode != 0 or len(fields) != 3 or fields[0] != "0":
        sys.exit(f"mlcp profile of {data} with {tree} failed:\n{done.stderr}{log.read_text()}")
    return int(fields[1]), float(fields[2]), wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--groups", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--baseline", default="main", help="git ref to compare with")
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        specs = make_specs(work / "specs")
        trees = {"this tree": ROOT}
        if not args.no_baseline:
            (work / "baseline").mkdir()
            trees[f"baseline {args.baseline}"] = checkout(args.baseline, work / "baseline")
        frame = wide_frame(args.rows, seed=0)
        print(
            f"mlcp profile, {args.rows:,} rows x {frame.num_columns} columns; medians of {args.runs}"
        )
        header = f"{'row groups':>10} {'file':>8}"
        for name in trees:
            header += f" | {name + ': peak RSS, CPU, wall':>44}"
        print(header + (" | same profile" if len(trees) > 1 else ""))
        for groups in args.groups:
            data = work / f"{groups}.parquet"
            pq.write_table(frame, data, row_group_size=-(-args.rows // groups))
            assert pq.ParquetFile(data).num_row_groups == groups
            figures: dict[str, list[tuple[int, float, float]]] = {name: [] for name in trees}
            order = list(trees)
            for _ in range(args.runs):
                for name in order:
                    out = work / f"{groups}-{order.index(name)}-{name.split()[0]}.json"
                    figures[name].append(profile(sys.executable, trees[name], specs, data, out))
                order.reverse()
            line = f"{groups:>10} {data.stat().st_size / MB:>5.0f} MB"
            for runs in figures.values():
                rss = statistics.median(r[0] for r in runs) / MB
                cpu = statistics.median(r[1] for r in runs)
                wall = statistics.median(r[2] for r in runs)
                line += f" | {rss:>20.0f} MB {cpu:>8.2f} s CPU {wall:>6.2f} s"
            if len(trees) > 1:
                written = {p.read_bytes() for p in work.glob(f"{groups}-*.json")}
                line += f" | {'yes' if len(written) == 1 else 'no'}"
            print(line)
    load = os.getloadavg()
    print(
        f"load average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} CPUs"
    )


if __name__ == "__main__":
    main()
