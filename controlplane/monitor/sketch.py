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

import math

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

    def _positions(self, bins: int) -> list[int]:
        """Bucket boundaries (as indices into the cumulative counts) nearest by count to
        the 1/bins .. (bins-1)/bins quantiles, sorted, distinct."""
        total = self.total
        below = np.concatenate(([0], np.cumsum(self.counts)))
        chosen: set[int] = set()
        for step in range(1, bins):
            target = total * step / bins
            upper = int(np.searchsorted(below, target, side="left"))
            lower = max(upper - 1, 0)
            closer_below = target - below[lower] < below[upper] - target
            chosen.add(lower if closer_below else upper)
        return sorted(chosen)

    def edges(self, bins: int) -> list[float]:
        """Bucket boundaries nearest (by count) to the 1/bins .. (bins-1)/bins quantiles."""
        if self.total == 0:
            return []
        bounds = (bucket_lower_bound(self.base + index) for index in self._positions(bins))
        return sorted({edge for edge in bounds if np.isfinite(edge)})

    def reference_bins(self, bins: int, *, integral: bool) -> tuple[list[float], list[int]]:
        """Edges near the 1/bins .. quantiles, and the exact count of values in each bin.

        No bin is empty: a boundary with no value between it and the one before
        (discrete data puts two quantiles in one value's bucket, or a boundary in a
        gap between values) is dropped, as is one with no value below or above it.
        Where a kept boundary falls in a gap between values, the edge moves into the
        gap, which changes no count: for integer-valued data (`integral`) halfway
        between two integers (0.5 between 0 and 1, never a denormal just above 0),
        otherwise to the number with the fewest significant digits in the gap
        (25 between 22 and 27).
        """
        total = self.total
        if total == 0:
            return [], []
        below = np.concatenate(([0], np.cumsum(self.counts)))
        kept: list[int] = []
        for position in self._positions(bins):
            count = int(below[position])
            if 0 < count < total and (not kept or count > below[kept[-1]]):
                kept.append(position)
        occupied = np.flatnonzero(self.counts)
        edges = [self._placed(position, occupied, integral) for position in kept]
        cuts = [0, *(int(below[position]) for position in kept), total]
        return edges, [cuts[i + 1] - cuts[i] for i in range(len(cuts) - 1)]

    def _placed(self, position: int, occupied: IntArray, integral: bool) -> float:
        """Where the edge at bucket boundary `position` goes in the gap of empty buckets
        around it: values below are under ``low``, values above at least ``high``."""
        above = int(occupied[np.searchsorted(occupied, position, side="left")])
        under = int(occupied[np.searchsorted(occupied, position, side="left") - 1])
        low = bucket_lower_bound(self.base + under + 1)
        high = bucket_lower_bound(self.base + above)
        if integral:
            # Values below are integers under `high`, so at most ceil(high) - 1.
            return float(math.ceil(high)) - 0.5
        if low >= high:
            return high + 0.0
        middle = low + (high - low) / 2
        for digits in range(1, 18):
            edge = float(f"{middle:.{digits}g}")
            if low <= edge < high:
                return edge + 0.0
        return low + 0.0
