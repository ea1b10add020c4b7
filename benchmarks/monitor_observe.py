"""observe() of one 50-feature row against 50 bare prometheus_client increments,
and observe_batch() throughput.

    .venv/bin/python benchmarks/monitor_observe.py [--rows 20000] [--batch-rows 1000000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from monitor_data import NUMERIC, wide_frame, wide_model
from prometheus_client import CollectorRegistry, Counter

from controlplane.monitor import ModelMonitor, build_profile

ROWS = 20_000
BATCH_ROWS = 1_000_000


def bare_children(features: int) -> list[object]:
    counter = Counter(
        "bench_values_total", "baseline", ["feature", "bin"], registry=CollectorRegistry()
    )
    return [counter.labels(f"f{i}", "b00") for i in range(features)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS, help="rows observed one by one")
    parser.add_argument("--batch-rows", type=int, default=BATCH_ROWS)
    args = parser.parse_args()
    rows_count, batch_rows = args.rows, args.batch_rows
    model = wide_model()
    profile = build_profile(wide_frame(100_000, seed=1), model)
    monitor = ModelMonitor(model, profile)
    rows = wide_frame(rows_count, seed=2, shift=0.1).to_pylist()
    children = bare_children(len(model.features))
    ours, bare = np.empty(rows_count), np.empty(rows_count)
    clock = time.perf_counter_ns
    for i, row in enumerate(rows):  # interleaved, so both see the same machine state
        start = clock()
        monitor.observe(row)
        ours[i] = clock() - start
        start = clock()
        for child in children:
            child.inc()  # type: ignore[attr-defined]
        bare[i] = clock() - start
    us = 1e-3
    print(
        f"observe(): 1 row x {len(model.features)} features ({len(NUMERIC)} numeric), {rows_count} rows"
    )
    print(
        f"  mlcp ModelMonitor.observe   median {np.median(ours) * us:6.2f} us  p99 {np.percentile(ours, 99) * us:6.2f} us"
    )
    print(
        f"  {len(children)} bare Counter.inc()      median {np.median(bare) * us:6.2f} us  p99 {np.percentile(bare, 99) * us:6.2f} us"
    )
    print(
        f"  ratio bare/mlcp             median {np.median(bare) / np.median(ours):5.2f}x  p99 {np.percentile(bare, 99) / np.percentile(ours, 99):5.2f}x"
    )

    frame = wide_frame(batch_rows, seed=3, shift=0.1)
    start = time.perf_counter()
    monitor.observe_batch(frame)
    seconds = time.perf_counter() - start
    cells = batch_rows * len(model.features)
    print(f"observe_batch(): {batch_rows} rows x {len(model.features)} features in {seconds:.2f} s")
    print(
        f"  {cells / seconds / 1e6:.1f} M cells/s; row-by-row observe() would be {1e6 / (np.median(ours) * us) * len(model.features) / 1e6:.1f} M cells/s"
    )


if __name__ == "__main__":
    main()
