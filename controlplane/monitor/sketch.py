"""A mergeable quantile sketch with exact counts: a histogram of log-spaced buckets.

Every float64 maps to a bucket by keeping its sign, exponent and the top
``MANTISSA_BITS`` bits of its mantissa, so a bucket spans at most a
``RELATIVE_ERROR`` fraction of the magnitude of its values. Counts are exact
integers, so the sketch of a data set does not depend on how it was chunked,
and the count of values below any bucket boundary is exact. Reference edges
are chosen among bucket boundaries: each edge is within ``RELATIVE_ERROR`` of
the exact quantile it stands for, and the reference shares stored with it are
exact for that edge (they may differ from 1/bins by at most one bucket's mass).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

MANTISSA_BITS = 7
RELATIVE_ERROR = 2.0**-MANTISSA_BITS
_SHIFT = 52 - MANTISSA_BITS
_INT64_MIN = np.int64(np.iinfo(np.int64).min)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def bucket_keys(values: FloatArray) -> IntArray:
    """Bucket of each (non-NaN) value, as an integer that orders like the values."""
    bits = values.view(np.int64)
    # Negative floats: two's complement of the sign-magnitude bits, so keys sort like values.
    ordered = np.where(bits < 0, _INT64_MIN - bits, bits)
    return np.right_shift(ordered, _SHIFT)


def bucket_lower_bound(key: int) -> float:
    """The smallest float in bucket ``key``; also the exclusive upper bound of ``key - 1``."""
    ordered = key << _SHIFT
    bits = ordered if ordered >= 0 else int(_INT64_MIN) - ordered
    return float(np.array([bits], dtype=np.int64).view(np.float64)[0])


class QuantileSketch:
    """Exact counts per bucket over the key range seen so far (a dense, growing array)."""

    def __init__(self) -> None:
        self.base = 0
        self.counts: IntArray = np.zeros(0, dtype=np.int64)

    @property
    def total(self) -> int:
        return int(self.counts.sum())

    def add(self, values: FloatArray) -> None:
        """Count non-NaN ``values``; the caller removes NaN (they are nulls)."""
        if values.size == 0:
            return
        keys = bucket_keys(values)
        low, high = int(keys.min()), int(keys.max())
        if self.counts.size:
            low, high = min(low, self.base), max(high, self.base + self.counts.size - 1)
            if low != self.base or high - low + 1 != self.counts.size:
                grown = np.zeros(high - low + 1, dtype=np.int64)
                start = self.base - low
                grown[start : start + self.counts.size] = self.counts
                self.counts = grown
        else:
            self.counts = np.zeros(high - low + 1, dtype=np.int64)
        self.base = low
        self.counts += np.bincount(keys - low, minlength=self.counts.size)

    def edges(self, bins: int) -> list[float]:
        """Bucket boundaries nearest (by count) to the 1/bins .. (bins-1)/bins quantiles."""
        total = self.total
        if total == 0:
            return []
        below = np.concatenate(([0], np.cumsum(self.counts)))
        chosen: set[int] = set()
        for step in range(1, bins):
            target = total * step / bins
            upper = int(np.searchsorted(below, target, side="left"))
            lower = max(upper - 1, 0)
            closer_below = target - below[lower] < below[upper] - target
            chosen.add(lower if closer_below else upper)
        bounds = (bucket_lower_bound(self.base + index) for index in sorted(chosen))
        return sorted({edge for edge in bounds if np.isfinite(edge)})
