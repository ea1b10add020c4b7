"""Shared data for the runtime monitor benchmarks: a wide frame and its model."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from controlplane.model import Model
from tests.monitor.factories import make_model

NUMERIC = tuple(f"n{i:02d}" for i in range(40))
CATEGORICAL = tuple(f"c{i:02d}" for i in range(10))
CATEGORIES = np.array([f"cat{i:02d}" for i in range(20)])


def wide_model() -> Model:
    return make_model(name="bench-model", numeric=NUMERIC, categorical=CATEGORICAL)


def wide_frame(rows: int, seed: int, shift: float = 0.0) -> pa.Table:
    """40 numeric columns (normal, lognormal, integer; 1% nulls) and 10 categorical ones."""
    rng = np.random.default_rng(seed)
    columns: dict[str, pa.Array] = {}
    for i, name in enumerate(NUMERIC):
        if i % 3 == 0:
            values = rng.normal(shift, 1.0, rows)
        elif i % 3 == 1:
            values = rng.lognormal(shift, 1.0, rows)
        else:
            values = rng.integers(0, 1000, rows).astype(np.float64) + shift * 100
        values[rng.random(rows) < 0.01] = np.nan
        columns[name] = pa.array(values, from_pandas=True)
    weights = np.linspace(2.0, 1.0, CATEGORIES.size) + np.linspace(0, shift, CATEGORIES.size)
    for name in CATEGORICAL:
        picks = rng.choice(CATEGORIES.size, rows, p=weights / weights.sum())
        columns[name] = pa.array(CATEGORIES[picks])
    return pa.table(columns)
