from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from controlplane.monitor.sketch import (
    RELATIVE_ERROR,
    QuantileSketch,
    bucket_keys,
    bucket_lower_bound,
)

finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


@given(st.lists(finite, min_size=2, max_size=50))
def test_bucket_keys_order_like_values(values: list[float]) -> None:
    array = np.array(sorted(values), dtype=np.float64)
    keys = bucket_keys(array)
    assert np.all(np.diff(keys) >= 0)


@given(finite)
def test_a_value_lies_inside_its_bucket(value: float) -> None:
    key = int(bucket_keys(np.array([value]))[0])
    low, high = bucket_lower_bound(key), bucket_lower_bound(key + 1)
    assert low <= value < high or (value == 0.0 and low == 0.0)
    # The bucket is narrow relative to the magnitude of its values.
    if np.isfinite(high) and abs(low) > 1e-300:
        assert (high - low) <= RELATIVE_ERROR * max(abs(low), abs(high)) * 1.0000001


@settings(max_examples=60)
@given(
    st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=50, max_size=400),
    st.integers(min_value=2, max_value=12),
)
def test_edges_are_within_one_bucket_of_exact_quantiles(values: list[float], bins: int) -> None:
    sketch = QuantileSketch()
    array = np.array(values)
    sketch.add(array)
    edges = sketch.edges(bins)
    assert edges == sorted(set(edges))
    ordered = np.sort(array)
    for edge in edges:
        # Every edge is a bucket boundary, so the values strictly below it form a
        # block of whole buckets; its bucket neighbours must bracket some data quantile.
        rank = int(np.searchsorted(ordered, edge, side="left"))
        near = ordered[max(rank - 1, 0) : rank + 1]
        gap = np.min(np.abs(near - edge))
        assert gap <= RELATIVE_ERROR * max(abs(edge), float(np.max(np.abs(near)))) + 1e-300


def test_chunking_does_not_change_the_sketch() -> None:
    rng = np.random.default_rng(3)
    values = np.concatenate([rng.normal(0, 1, 5000), rng.lognormal(5, 2, 5000), -rng.pareto(2, 99)])
    whole, parts = QuantileSketch(), QuantileSketch()
    whole.add(values)
    for piece in np.array_split(values, 37):
        parts.add(piece)
    assert whole.base == parts.base
    assert np.array_equal(whole.counts, parts.counts)
    assert whole.edges(10) == parts.edges(10)


def test_deciles_of_a_smooth_distribution_split_the_data_evenly() -> None:
    values = np.random.default_rng(5).normal(100.0, 15.0, 200_000)
    sketch = QuantileSketch()
    sketch.add(values)
    edges = np.array(sketch.edges(10))
    exact = np.quantile(values, np.arange(1, 10) / 10)
    assert edges.size == 9
    assert np.all(np.abs(edges - exact) <= RELATIVE_ERROR * np.abs(exact))
