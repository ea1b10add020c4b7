"""The promotion gate on 100,000 held-out examples with 10,000 bootstrap resamples.

    .venv/bin/python benchmarks/gate.py [--examples N] [--resamples B] [--runs R]

Times `controlplane.pipeline.gate.decide` (the whole gate: metric values, the
paired bootstrap of the relative improvement, the verdict) for F1, and beside
it `scipy.stats.bootstrap` (paired, vectorized, percentile interval, batched
so that it fits in memory) on the same statistic and the same data. Also
times the gate on the other two kinds of test (McNemar for accuracy,
Wilcoxon for MAE), whose interval comes from the same bootstrap.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
from scipy import stats as sps

from controlplane.pipeline.gate import GateResult, decide


def classification(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    y = rng.random(n) < 0.1  # a fraud-like 10 % positive class
    production = np.where(rng.random(n) < 0.90, y, ~y)
    candidate = np.where(rng.random(n) < 0.91, y, ~y)
    return y, candidate, production


def f1(truth: np.ndarray, pred: np.ndarray, axis: int) -> np.ndarray:
    tp = np.sum(truth & pred, axis=axis)
    return 2 * tp / (2 * tp + np.sum(~truth & pred, axis=axis) + np.sum(truth & ~pred, axis=axis))


def relative_f1_improvement(y: np.ndarray, c: np.ndarray, p: np.ndarray, axis: int) -> np.ndarray:
    production = f1(y, p, axis)
    return (f1(y, c, axis) - production) / np.abs(production)


def best_of(runs: int, work: Callable[[], object]) -> tuple[str, float, object]:
    """Median wall and CPU time of `runs` runs, as text, the median wall time, and a result."""
    walls, cpus, result = [], [], None
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        result = work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    wall_s, cpu_s = statistics.median(walls), statistics.median(cpus)
    return f"{wall_s:8.3f} s (CPU {cpu_s:.3f} s)", cpu_s, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=100_000)
    parser.add_argument("--resamples", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    n, b = args.examples, args.resamples
    y, cand, prod = classification(n)

    def gate(metric: str, *data: object) -> GateResult:
        return decide(metric, *data, min_improvement=0.02, alpha=0.05, resamples=b)  # type: ignore[arg-type]

    ours_text, ours_s, ours = best_of(args.runs, lambda: gate("f1", y, cand, prod))
    theirs_text, theirs_s, theirs = best_of(
        1,
        lambda: sps.bootstrap(
            (y, cand, prod),
            relative_f1_improvement,
            paired=True,
            vectorized=True,
            n_resamples=b,
            batch=max(1, 2_000_000 // n),
            method="percentile",
            rng=np.random.default_rng(0),
        ),
    )
    assert isinstance(ours, GateResult)
    interval = theirs.confidence_interval  # type: ignore[attr-defined]
    print(
        f"gate on {n:,} held-out examples, {b:,} paired bootstrap resamples (median of {args.runs})"
    )
    print(f"  mlcp decide('f1')                      {ours_text}")
    print(f"  scipy.stats.bootstrap, same statistic  {theirs_text}")
    print(f"  ratio scipy/mlcp, CPU time             {theirs_s / ours_s:8.1f}x")
    print(f"  95% interval of the relative F1 gain: mlcp [{ours.ci_low:.4f}, {ours.ci_high:.4f}]"
          f"  scipy [{interval.low:.4f}, {interval.high:.4f}]")  # fmt: skip
    print(f"  decision: {ours.reason}")

    accuracy_text, _, _ = best_of(args.runs, lambda: gate("accuracy", y, cand, prod))
    print(f"  mlcp decide('accuracy') (McNemar)      {accuracy_text}")
    rng = np.random.default_rng(2)
    target = rng.normal(100, 20, n)
    regression = (target, target + 4 * rng.standard_t(4, n), target + 5 * rng.standard_t(4, n))
    mae_text, _, _ = best_of(1, lambda: gate("mae", *regression))
    print(f"  mlcp decide('mae') (Wilcoxon)          {mae_text}")


if __name__ == "__main__":
    main()
