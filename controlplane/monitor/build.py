"""Building a reference profile in one streaming pass over bounded chunks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow.compute as pc

from controlplane.model import Model
from controlplane.monitor.profile import (
    DEFAULT_MAX_CATEGORIES,
    MAX_TAIL_CATEGORIES,
    CategoricalProfile,
    FeatureProfile,
    NumericProfile,
    Profile,
    require_reference,
)
from controlplane.monitor.sketch import QuantileSketch
from controlplane.monitor.source import (
    DEFAULT_CHUNK_ROWS,
    canonical_category,
    category_strings,
    numeric_values,
    open_source,
)

Column = Any  # pa.Array | pa.ChunkedArray (pyarrow is untyped)
# Whole numbers below this are exact in float64, and so is every half between them.
INTEGRAL_LIMIT = 2.0**52


class _Numeric:
    def __init__(self, name: str, dtype: str) -> None:
        self.name, self.dtype = name, dtype
        self.nulls = 0
        self.low = float("inf")
        self.high = float("-inf")
        self.sketch = QuantileSketch()
        self.integral = True  # every value a whole number (exactly representable)

    def add(self, column: Column) -> None:
        values = numeric_values(column)
        present = values[~np.isnan(values)]
        self.nulls += values.size - present.size
        if present.size:
            self.low = min(self.low, float(present.min()))
            self.high = max(self.high, float(present.max()))
            self.sketch.add(present)
            whole = np.all(np.abs(present) < INTEGRAL_LIMIT) and np.all(present % 1 == 0)
            self.integral = self.integral and bool(whole)

    def finish(self, rows: int, bins: int) -> NumericProfile:
        edges, counts = self.sketch.reference_bins(bins, integral=self.integral)
        seen = self.sketch.total > 0
        return NumericProfile(
            name=self.name,
            dtype=self.dtype,
            rows=rows,
            nulls=self.nulls,
            # + 0.0 turns -0.0 into 0.0: which zero wins min() depends on chunking.
            min=self.low + 0.0 if seen else None,
            max=self.high + 0.0 if seen else None,
            edges=tuple(edges),
            counts=tuple(counts),
        )


class _Categorical:
    def __init__(self, name: str, dtype: str, max_categories: int) -> None:
        self.name, self.dtype, self.max_categories = name, dtype, max_categories
        self.nulls = 0
        self.seen: dict[str, int] = {}

    def add(self, column: Column) -> None:
        counted = pc.value_counts(category_strings(column))
        values = counted.field("values").to_pylist()
        for value, count in zip(values, counted.field("counts").to_pylist(), strict=True):
            key = canonical_category(value)
            if key is None:
                self.nulls += count
            else:
                self.seen[key] = self.seen.get(key, 0) + count

    def finish(self, rows: int) -> CategoricalProfile:
        ranked = sorted(self.seen.items(), key=lambda item: (-item[1], item[0]))
        known, tail = ranked[: self.max_categories], ranked[self.max_categories :]
        return CategoricalProfile(
            name=self.name,
            dtype=self.dtype,
            rows=rows,
            nulls=self.nulls,
            categories=tuple(name for name, _ in known),
            counts=tuple(count for _, count in known),
            other=sum(count for _, count in tail),
            tail=tuple(sorted(name for name, _ in tail[:MAX_TAIL_CATEGORIES])),
            tail_truncated=len(tail) > MAX_TAIL_CATEGORIES,
        )


def build_profile(
    source: Any,
    model: Model,
    *,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    max_categories: int = DEFAULT_MAX_CATEGORIES,
    progress: Callable[[int, int | None], None] | None = None,
) -> Profile:
    """Profile a Parquet/CSV path or an in-memory frame for ``model``'s features.

    Memory is bounded by one chunk of one column (Parquet is read a row group and a
    column at a time; other sources a chunk of rows at a time) plus, per numeric
    feature, the sketch's buckets
    (at most 2**19 counters, a few thousand for typical data) and, per categorical
    feature, one counter per distinct category. Data without rows, or with a feature
    null in every row, is no reference: ``MonitorError`` says which file and feature.
    """
    chunks = open_source(source, model, chunk_rows)
    numeric: list[_Numeric] = []
    categorical: list[_Categorical] = []
    for feature in model.features:
        dtype = str(chunks.schema.field(feature.name).type)
        if feature.kind == "numeric":
            numeric.append(_Numeric(feature.name, dtype))
        else:
            categorical.append(_Categorical(feature.name, dtype, max_categories))
    rows = 0
    accumulators: dict[str, _Numeric | _Categorical] = {a.name: a for a in numeric}
    accumulators.update((a.name, a) for a in categorical)
    for piece in chunks.slices():
        for name, column in piece.columns:
            accumulators[name].add(column)
        rows += piece.rows
        if progress is not None:
            progress(rows, chunks.total_rows)
    finished: dict[str, FeatureProfile] = {
        a.name: a.finish(rows, model.drift.bins) for a in numeric
    }
    finished.update({a.name: a.finish(rows) for a in categorical})
    features = tuple(finished[name] for name in sorted(finished))
    require_reference(rows, features, chunks.name)
    return Profile(model.name, rows, model.drift.bins, max_categories, features)
