"""`mlcp profile` reads a Parquet file in bounded memory: the process's peak resident set
does not grow with the number of rows, nor with the number of row groups, and what
the data adds to it is about one column's reader, not one per column.

Each profile runs as a whole process (`python -m controlplane profile`); its peak RSS
is the kernel's figure for that child alone (``os.wait4``), not pyarrow's allocator.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from controlplane.monitor.source import CSV_MAX_BLOCK_BYTES, open_source
from tests.conftest import ROOT, SPECS
from tests.monitor.factories import make_model

NUMERIC = tuple(f"n{i:02d}" for i in range(24))
CATEGORICAL = ("c0", "c1")
MB = 1 << 20


def specs_for_wide_model(folder: Path) -> Path:
    """The fraud-detector example with 24 numeric and 2 categorical features."""
    folder.mkdir()
    shutil.copy(SPECS / "mlcp.yaml", folder / "mlcp.yaml")
    text = (SPECS / "fraud-detector.yaml").read_text(encoding="utf-8")
    text = re.sub(r"numeric: \[.*\]", f"numeric: [{', '.join(NUMERIC)}]", text, count=1)
    text = re.sub(r"categorical: \[.*\]", f"categorical: [{', '.join(CATEGORICAL)}]", text)
    text = re.sub(r"\n  overrides:\n    amount: .*", "", text, count=1)
    (folder / "fraud-detector.yaml").write_text(text, encoding="utf-8")
    return folder


def parquet_of(path: Path, rows: int, groups: int) -> Path:
    """Values on a grid of 4,000 (dictionary-encoded, so the file stays small while
    each column decodes to 8 bytes a row)."""
    rng = np.random.default_rng(rows + groups)
    schema = pa.schema(
        [(n, pa.float64()) for n in NUMERIC] + [(c, pa.string()) for c in CATEGORICAL]
    )
    per_group = rows // groups
    with pq.ParquetWriter(path, schema) as writer:
        for _ in range(groups):
            columns: dict[str, object] = {
                n: rng.integers(1, 4000, per_group) * 0.25 for n in NUMERIC
            }
            columns.update({c: rng.choice(["US", "FR", "DE"], per_group) for c in CATEGORICAL})
            writer.write_table(pa.table(columns, schema=schema), row_group_size=per_group)
    assert pq.ParquetFile(path).num_row_groups == groups
    return path


# The child's peak RSS, taken by a small launcher: a child forked from this test process
# starts with its resident pages counted, and Linux keeps that high-water mark across exec.
PEAK_RSS = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[2:], stdout=open(sys.argv[1], "wb"), stderr=subprocess.STDOUT)
_, status, usage = os.wait4(child.pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss * 1024)
"""


def profile_peak_rss(specs: Path, data: Path, out: Path) -> int:
    """Peak RSS in bytes of `mlcp profile` on ``data``, as a process of its own."""
    argv = [sys.executable, "-m", "controlplane", "profile", "--model", "fraud-detector"]
    argv += ["--specs", str(specs), "--out", str(out), "--no-progress", str(data)]
    log = out.with_suffix(".log")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    launched = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, str(log), *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    code, peak = (int(x) for x in launched.stdout.split())
    assert code == 0, log.read_text()
    assert f"{pq.ParquetFile(data).metadata.num_rows} rows" in log.read_text()
    return peak


def test_profile_peak_rss_does_not_grow_with_rows_or_columns(tmp_path: Path) -> None:
    specs = specs_for_wide_model(tmp_path / "specs")

    def peak(rows: int, groups: int) -> int:
        data = parquet_of(tmp_path / f"{rows}-{groups}.parquet", rows, groups)
        return profile_peak_rss(specs, data, tmp_path / f"{rows}-{groups}.json")

    tiny = peak(1_000, 1)  # the interpreter, the libraries and the compiled spec
    short = peak(200_000, 1)
    long = peak(800_000, 1)
    grouped = peak(800_000, 8)
    # Four times the rows in one row group, or in eight: the same peak, within noise.
    assert abs(long - short) < 8 * MB, (short, long)
    assert abs(grouped - short) < 8 * MB, (short, grouped)
    # What the data adds: one column's reader and chunk, and the sketches. Reading the
    # 26 columns side by side kept a reader of several MB per column (about 130 MB here).
    assert short - tiny < 40 * MB, (tiny, short)


def test_a_wide_csv_is_read_in_blocks_of_bounded_size(tmp_path: Path) -> None:
    """Blocks were sized at 64 bytes a cell for 131,072 rows: 218 MB for 26 columns."""
    rows = 100_000
    text = ",".join((*NUMERIC, *CATEGORICAL)) + "\n"
    text += ("1234.25," * len(NUMERIC) + "US,FR\n") * rows  # 198 bytes a row, 20 MB in all
    (tmp_path / "wide.csv").write_text(text, encoding="utf-8")
    model = make_model(numeric=NUMERIC, categorical=CATEGORICAL)
    batches = list(open_source(tmp_path / "wide.csv", model).batches)
    assert sum(batch.num_rows for batch in batches) == rows
    bytes_per_row = len(text) / rows
    assert max(batch.num_rows for batch in batches) * bytes_per_row <= CSV_MAX_BLOCK_BYTES
