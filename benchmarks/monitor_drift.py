"""Batch drift of 1M x 50 against 1M x 50: mlcp against Evidently, on the same data.

    benchmarks/.work/venv/bin/python benchmarks/monitor_drift.py [--rows 1000000] [--only-mlcp]
(the venv holds evidently and pandas<3; see benchmarks/README.md)
"""

from __future__ import annotations

import argparse
import time

from monitor_data import CATEGORICAL, NUMERIC, wide_frame, wide_model

from controlplane.monitor import build_profile, compute_drift

ROWS = 1_000_000


def timed(work: object) -> tuple[float, object]:
    start = time.perf_counter()
    result = work()  # type: ignore[operator]
    return time.perf_counter() - start, result


def evidently_psi(reference: object, current: object) -> dict[str, float]:
    from evidently import DataDefinition, Dataset, Report
    from evidently.metrics import ValueDrift

    definition = DataDefinition(
        numerical_columns=list(NUMERIC), categorical_columns=list(CATEGORICAL)
    )
    report = Report([ValueDrift(column=c, method="psi") for c in (*NUMERIC, *CATEGORICAL)])
    snapshot = report.run(
        current_data=Dataset.from_pandas(current, data_definition=definition),
        reference_data=Dataset.from_pandas(reference, data_definition=definition),
    )
    values = snapshot.dict()["metrics"]
    return {m["config"]["column"]: float(m["value"]) for m in values}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--only-mlcp", action="store_true", help="without evidently")
    args = parser.parse_args()
    rows = args.rows
    model = wide_model()
    reference, current = (
        wide_frame(rows, seed=1).to_pandas(),
        wide_frame(rows, seed=2, shift=0.2).to_pandas(),
    )
    profile_s, profile = timed(lambda: build_profile(reference, model))
    drift_s, report = timed(lambda: compute_drift(current, model, profile))  # type: ignore[arg-type]
    ours = profile_s + drift_s
    print(
        f"batch drift: reference {rows} x {len(model.features)}, current {rows} x {len(model.features)} (pandas DataFrames)"
    )
    print(f"  mlcp build_profile(reference) {profile_s:7.2f} s")
    print(f"  mlcp compute_drift(current)   {drift_s:7.2f} s")
    print(f"  mlcp total                    {ours:7.2f} s")
    mine = {f.feature: f.psi for f in report.features}  # type: ignore[attr-defined]
    if args.only_mlcp:
        for name in ("n00", "n01", "n02", "c00"):
            print(f"  psi {name}: mlcp {mine[name]:.4f}")
        return
    import evidently

    theirs_s, theirs = timed(lambda: evidently_psi(reference, current))
    print(
        f"  evidently {evidently.__version__} ValueDrift(psi) x{len(model.features)} {theirs_s:7.2f} s"
    )
    print(f"  ratio evidently/mlcp total    {theirs_s / ours:7.1f}x")
    print(
        f"  ratio evidently/mlcp drift    {theirs_s / drift_s:7.1f}x (profile built once at training)"
    )
    for name in ("n00", "n01", "n02", "c00"):
        print(f"  psi {name}: mlcp {mine[name]:.4f}  evidently {theirs[name]:.4f}")


if __name__ == "__main__":
    main()
