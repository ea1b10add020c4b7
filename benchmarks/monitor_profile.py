"""Profile build on 1M rows x 50 features: mlcp against whylogs, on the same frame.

    benchmarks/.work/venv/bin/python benchmarks/monitor_profile.py [--rows 1000000] [--only-mlcp]
(the venv holds whylogs and pandas<3; see benchmarks/README.md)
"""

from __future__ import annotations

import argparse
import time

from monitor_data import wide_frame, wide_model

from controlplane.monitor import build_profile

ROWS = 1_000_000


def best_of(runs: int, work: object) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--only-mlcp", action="store_true", help="without whylogs")
    args = parser.parse_args()
    model = wide_model()
    table = wide_frame(args.rows, seed=1)
    frame = table.to_pandas()
    ours_pandas = best_of(3, lambda: build_profile(frame, model))
    ours_arrow = best_of(3, lambda: build_profile(table, model))
    print(
        f"profile build: {args.rows} rows x {len(model.features)} features (pandas DataFrame input)"
    )
    print(f"  mlcp build_profile (DataFrame)   {ours_pandas:7.2f} s")
    print(f"  mlcp build_profile (arrow Table) {ours_arrow:7.2f} s")
    if args.only_mlcp:
        return
    import whylogs

    theirs = best_of(1, lambda: whylogs.log(pandas=frame).profile())
    print(f"  whylogs {whylogs.__version__} why.log().profile() {theirs:7.2f} s")
    print(f"  ratio whylogs/mlcp               {theirs / ours_pandas:7.1f}x (DataFrame input)")


if __name__ == "__main__":
    main()
