"""Peak memory of `build_profile` on a Parquet file of 2 and of 20 row groups.

    .venv/bin/python benchmarks/monitor_profile_memory.py [--rows-per-group N] [--chunk-rows N]

Each file has the columns of specs/fraud-detector.yaml's features and row groups
of the same size; the second is ten times longer. Each profile is built in a new
interpreter, which then prints pyarrow's memory-pool peak and the process's
maximum resident set size; both should not grow with the number of row groups.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent

MEASURE = """
import resource, sys
from pathlib import Path
import pyarrow as pa
from controlplane.compile import find_model
from controlplane.monitor import build_profile
model = find_model(Path(sys.argv[1]), "fraud-detector").model
profile = build_profile(sys.argv[2], model, chunk_rows=int(sys.argv[3]))
peak = pa.default_memory_pool().max_memory()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(profile.rows, peak, rss)
"""


def write_file(path: Path, groups: int, rows_per_group: int) -> None:
    rng = np.random.default_rng(0)
    schema = pa.schema(
        [
            ("amount", pa.float64()),
            ("account_age_days", pa.int64()),
            ("merchant_risk", pa.float64()),
            ("country", pa.string()),
            ("mcc", pa.int64()),
            ("channel", pa.string()),
        ]
    )
    with pq.ParquetWriter(path, schema) as writer:
        for _ in range(groups):
            n = rows_per_group
            columns = {
                "amount": rng.lognormal(3.0, 1.0, n),
                "account_age_days": rng.integers(0, 3650, n),
                "merchant_risk": rng.random(n),
                "country": rng.choice(["US", "FR", "DE", "GB"], n),
                "mcc": rng.choice([5411, 5812, 7995], n),
                "channel": rng.choice(["web", "app", "pos"], n),
            }
            writer.write_table(pa.table(columns, schema=schema), row_group_size=n)


def measure(path: Path, chunk_rows: int) -> tuple[int, int, int]:
    """Rows, pyarrow pool peak (bytes) and max RSS (bytes) of profiling ``path``."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(ROOT / "specs"), str(path), str(chunk_rows)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": ""},
    )
    rows, peak, rss = (int(x) for x in done.stdout.split())
    return rows, peak, rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows-per-group", type=int, default=200_000)
    parser.add_argument("--chunk-rows", type=int, default=131_072)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for groups in (2, 20):
            path = Path(folder) / f"{groups}.parquet"
            write_file(path, groups, args.rows_per_group)
            rows, peak, rss = measure(path, args.chunk_rows)
            print(
                f"{groups:3d} row groups, {rows:>10,} rows, {path.stat().st_size / 1e6:6.1f} MB file: "
                f"pyarrow pool peak {peak / 1e6:6.1f} MB, max RSS {rss / 1e6:6.1f} MB"
            )


if __name__ == "__main__":
    main()
