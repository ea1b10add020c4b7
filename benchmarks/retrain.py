"""The end-to-end retraining demo: `mlcp retrain fraud-detector --specs examples/specs`.

    .venv/bin/python benchmarks/retrain.py [--workspace DIR]

Runs the whole DVC pipeline in a fresh workspace (git, DVC, every stage), then
again (nothing changed: DVC skips every stage), and prints the wall time of
each stage as `mlcp retrain` reports it starting, the preparation before the
first stage, and the total. Results vary with the machine's load: say it.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from controlplane.pipeline.retrain import retrain

ROOT = Path(__file__).resolve().parent.parent


def timed_run(workspace: Path) -> tuple[float, list[tuple[str, float]]]:
    marks: list[tuple[str, float]] = []
    start = time.perf_counter()
    retrain(
        "fraud-detector",
        ROOT / "examples/specs",
        workspace,
        progress=lambda stage, ran: marks.append((stage, time.perf_counter())),
    )
    end = time.perf_counter()
    times = [("prepare", (marks[0][1] if marks else end) - start)]
    for (stage, at), (_, after) in zip(marks, [*marks[1:], ("end", end)], strict=True):
        times.append((stage, after - at))  # the last includes dvc push and the commit
    return end - start, times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workspace", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        workspace = args.workspace or Path(scratch) / "workspace"
        print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        for label in ("first run", "second run (nothing changed)"):
            total, times = timed_run(workspace)
            print(f"{label}: {total:.1f} s")
            for stage, seconds in times:
                print(f"  {stage:<9} {seconds:6.1f} s")


if __name__ == "__main__":
    main()
