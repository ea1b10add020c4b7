"""`build_profile` reads a Parquet file in bounded memory: the peak does not
grow with the number of row groups (the docstring's promise).

Two files with row groups of the same size, one ten times longer, are each
profiled in a new interpreter, which reports pyarrow's memory-pool peak (every
buffer the Parquet reader allocates goes through the pool).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from tests.conftest import ROOT

ROWS_PER_GROUP = 20_000
CHUNK_ROWS = 10_000  # below the row group, so a short file fills whole chunks too

PROFILE_AND_REPORT_PEAK = """
import sys
import pyarrow as pa
from controlplane.monitor import build_profile
from tests.monitor.factories import make_model
profile = build_profile(sys.argv[1], make_model(), chunk_rows=int(sys.argv[2]))
print(profile.rows, pa.default_memory_pool().max_memory())
"""


def parquet_of(path: Path, groups: int) -> Path:
    rng = np.random.default_rng(groups)
    schema = pa.schema([("amount", pa.float64()), ("age", pa.int64()), ("country", pa.string())])
    with pq.ParquetWriter(path, schema) as writer:
        for _ in range(groups):
            columns = {
                "amount": rng.lognormal(3.0, 1.0, ROWS_PER_GROUP),
                "age": rng.integers(0, 3650, ROWS_PER_GROUP),
                "country": rng.choice(["US", "FR", "DE", "GB"], ROWS_PER_GROUP),
            }
            writer.write_table(pa.table(columns, schema=schema), row_group_size=ROWS_PER_GROUP)
    assert pq.ParquetFile(path).num_row_groups == groups
    return path


def pool_peak(path: Path) -> int:
    done = subprocess.run(
        [sys.executable, "-c", PROFILE_AND_REPORT_PEAK, str(path), str(CHUNK_ROWS)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    rows, peak = (int(x) for x in done.stdout.split())
    assert rows == pq.ParquetFile(path).metadata.num_rows
    return peak


def test_profile_peak_memory_does_not_grow_with_row_groups(tmp_path: Path) -> None:
    short = pool_peak(parquet_of(tmp_path / "short.parquet", groups=2))
    long = pool_peak(parquet_of(tmp_path / "long.parquet", groups=20))
    # Ten times the rows; a reader that keeps what it read would need several times
    # the memory (about 4x before the reader streamed). Allow 25 % and 1 MB of noise.
    assert long <= short * 1.25 + 1_000_000, (short, long)
