"""Offline preview speed: the Pulumi program for N models under Pulumi's mocks, as whole
processes.

Usage: python benchmarks/infra_preview.py [--models 1 10 100 1000] [--runs 3]

The N specs are the synthetic ones of benchmarks/compile.py (the three examples under
new names). Each run is a new interpreter that compiles the specs and calls
`controlplane.infra.preview_offline` on every model; the figures are medians of the
whole process's wall-clock time, with the preview's own share and the resource count
as the process reports them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.compile import make_specs  # noqa: E402 (the repository root, just added)

CHILD = """
import json, sys, time
start = time.perf_counter()
from controlplane.compile import compile_paths
from controlplane.infra import preview_offline
compilation = compile_paths([sys.argv[1]])
assert compilation.ok
compiled = time.perf_counter()
resources = preview_offline(compilation.models, compilation.config)
done = time.perf_counter()
print(json.dumps({"compile": compiled - start, "preview": done - compiled, "resources": len(resources)}))
"""


def run_once(specs: Path) -> tuple[float, dict[str, float]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"}
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(specs)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - start, json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, nargs="+", default=[1, 10, 100, 1000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print("| models | resources | whole process | preview | compile | runs |")
    print("|---|---|---|---|---|---|")
    for count in args.models:
        with tempfile.TemporaryDirectory() as folder:
            specs = Path(folder)
            make_specs(specs, count)
            runs = [run_once(specs) for _ in range(args.runs)]
        wall = statistics.median(r[0] for r in runs)
        preview = statistics.median(r[1]["preview"] for r in runs)
        compile_ = statistics.median(r[1]["compile"] for r in runs)
        resources = int(runs[0][1]["resources"])
        print(
            f"| {count:,} | {resources:,} | {wall:.2f} s | {preview:.2f} s | {compile_:.2f} s"
            f" | {args.runs} |",
            flush=True,
        )
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
