"""Latency histograms for tests: bucket counts with a chosen quantile, and the
quantile Prometheus's histogram_quantile() computes from them."""

from __future__ import annotations

import math

from controlplane import contract

TOTAL = 100_000  # observations per interval: fine enough to place a quantile
BOUNDS = (*contract.LATENCY_BUCKETS, math.inf)

Cumulative = list[tuple[float, int]]  # (upper bound, cumulative count), ascending


def quantile(q: float, buckets: Cumulative) -> float:
    """histogram_quantile(q, ...) for one histogram, as Prometheus 2.x interpolates."""
    rank = q * buckets[-1][1]
    finite = buckets[:-1]
    b = next((i for i, (_, count) in enumerate(finite) if count >= rank), len(finite))
    if b == len(buckets) - 1:
        return buckets[-2][0]
    if b == 0 and buckets[0][0] <= 0:
        return buckets[0][0]
    start = 0.0 if b == 0 else buckets[b - 1][0]
    count = buckets[b][1] - (buckets[b - 1][1] if b > 0 else 0)
    below = buckets[b - 1][1] if b > 0 else 0
    return start + (buckets[b][0] - start) * ((rank - below) / count)


def placing(q: float, target: float) -> Cumulative | None:
    """Bucket counts whose q-quantile lands near target, or None if no bucket holds it.

    `low` observations go to the first bucket, `k` to the bucket holding the
    target and the rest above every finite bound, with `k` and `low` chosen so
    the interpolated q-quantile is the target.
    """
    index = next((i for i, bound in enumerate(BOUNDS) if target <= bound), None)
    if index is None or index == 0 or math.isinf(BOUNDS[index]):
        return None
    lo, hi = BOUNDS[index - 1], BOUNDS[index]
    position = (target - lo) / (hi - lo)
    limits = [float(TOTAL)]
    if position < 1:
        limits.append(TOTAL * (1 - q) / (1 - position))
    if position > 0:
        limits.append(TOTAL * q / position)
    k = math.floor(min(limits))
    low = round(q * TOTAL - position * k)
    if k <= 0 or low < 0 or low + k > TOTAL:
        return None
    return [
        (bound, low if i < index else low + k if not math.isinf(bound) else TOTAL)
        for i, bound in enumerate(BOUNDS)
    ]


def le_label(bound: float) -> str:
    return "+Inf" if math.isinf(bound) else repr(bound)
