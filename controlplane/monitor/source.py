"""Reading feature columns in bounded chunks, from Parquet, CSV or an in-memory frame."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from controlplane.model import FeatureKind, Model
from controlplane.monitor.errors import MonitorError

DEFAULT_CHUNK_ROWS = 131_072
PARQUET_SUFFIXES = (".parquet", ".pq")
CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.bz2")


# Parquet is streamed through a buffer of this many bytes, on one thread: with
# pyarrow's defaults the reader's peak grew with every row group read (28 MB for
# 2 row groups, 105 MB for 20; benchmarks/README.md).
PARQUET_BUFFER_BYTES = 1 << 20
# A CSV block holds about chunk_rows rows, but never more than this many bytes of text:
# a wide file would otherwise be read in blocks of hundreds of megabytes.
CSV_MAX_BLOCK_BYTES = 1 << 23


@dataclass(frozen=True)
class Slice:
    """Some rows of a source, handed over one column at a time (a column may come in pieces).

    Consume ``columns`` before asking for the next slice.
    """

    rows: int
    columns: Iterator[tuple[str, pa.Array]]


@dataclass
class Chunks:
    """Record batches of exactly the model's feature columns; total_rows when known upfront.

    ``name`` says where the rows come from (the path, or the kind of frame), for messages.
    ``slices`` yields the same rows column by column: from Parquet, one row group at a
    time and one column of it at a time, so that only one column's reader and one
    chunk of it are ever in memory (reading every column side by side keeps a reader
    of a few megabytes per column alive: 226 MB for 50 columns).
    """

    schema: pa.Schema
    batches: Iterator[pa.RecordBatch]
    total_rows: int | None
    name: str
    parquet: pq.ParquetFile | None = None
    chunk_rows: int = DEFAULT_CHUNK_ROWS
    require_rows: bool = True

    def slices(self) -> Iterator[Slice]:
        """The rows as slices, each column of a slice in pieces of at most chunk_rows."""
        pieces: Iterator[Slice]
        if self.parquet is None:
            pieces = (Slice(b.num_rows, _columns_of(b)) for b in self.batches)
        else:
            pieces = _parquet_slices(self.parquet, self.schema.names, self.chunk_rows, self.name)
        rows = 0
        for piece in pieces:
            rows += piece.rows
            yield piece
        if rows == 0 and self.require_rows:
            raise MonitorError(f"{self.name}: no rows")


def _columns_of(batch: pa.RecordBatch) -> Iterator[tuple[str, pa.Array]]:
    return ((name, batch.column(name)) for name in batch.schema.names)


def _parquet_slices(
    parquet: pq.ParquetFile, columns: Sequence[str], chunk_rows: int, name: str
) -> Iterator[Slice]:
    for group in range(parquet.num_row_groups):
        rows = parquet.metadata.row_group(group).num_rows
        yield Slice(rows, _parquet_columns(parquet, group, columns, chunk_rows, name))


def _parquet_columns(
    parquet: pq.ParquetFile, group: int, columns: Sequence[str], chunk_rows: int, name: str
) -> Iterator[tuple[str, pa.Array]]:
    try:
        for column in columns:
            batches = parquet.iter_batches(
                batch_size=chunk_rows, row_groups=[group], columns=[column], use_threads=False
            )
            for batch in batches:
                yield column, batch.column(0)
    except (OSError, pa.ArrowException) as error:
        raise MonitorError(f"{name}: {error}") from None


def describe(source: Any) -> str:
    """How messages name a source: its path, or the kind of frame it is."""
    if isinstance(source, str | Path):
        return str(source)
    return f"the {type(source).__name__}"


def open_source(
    source: Any, model: Model, chunk_rows: int = DEFAULT_CHUNK_ROWS, *, require_rows: bool = True
) -> Chunks:
    """Open a path or frame (pyarrow Table/RecordBatch, pandas DataFrame, dict of columns).

    With ``require_rows`` (profiles and drift: no rows is no evidence of anything),
    a source without a single row raises ``MonitorError`` once its batches run out.
    """
    columns = [feature.name for feature in model.features]
    if isinstance(source, str | Path):
        chunks = _open_path(Path(source), model, chunk_rows)
    else:
        table = _as_table(source)
        _require_columns(table.schema, columns)
        table = table.select(columns)
        batches = iter(table.to_batches(max_chunksize=chunk_rows))
        chunks = Chunks(table.schema, batches, len(table), describe(source))
    where = f"{source}: " if isinstance(source, str | Path) else ""
    for feature in model.features:
        check_type(feature.name, feature.kind, chunks.schema.field(feature.name).type, where)
    chunks.require_rows = require_rows
    if require_rows:
        chunks.batches = _some_rows(chunks.batches, chunks.name)
    return chunks


def _some_rows(batches: Iterator[pa.RecordBatch], name: str) -> Iterator[pa.RecordBatch]:
    rows = 0
    for batch in batches:
        rows += batch.num_rows
        yield batch
    if rows == 0:
        raise MonitorError(f"{name}: no rows")


def _as_table(frame: Any) -> pa.Table:
    if isinstance(frame, pa.Table):
        return frame
    if isinstance(frame, pa.RecordBatch):
        return pa.Table.from_batches([frame])
    try:
        return pa.table(frame)
    except (TypeError, ValueError, pa.ArrowException) as error:
        raise MonitorError(f"cannot read {type(frame).__name__} as a table: {error}") from None


def _open_path(path: Path, model: Model, chunk_rows: int) -> Chunks:
    columns = [feature.name for feature in model.features]
    if not path.is_file():
        raise MonitorError(f"{path}: no such file")
    name = path.name.lower()
    try:
        if name.endswith(PARQUET_SUFFIXES):
            parquet = pq.ParquetFile(path, buffer_size=PARQUET_BUFFER_BYTES, pre_buffer=False)
            schema = parquet.schema_arrow
            _require_columns(schema, columns, path)
            batches = parquet.iter_batches(
                batch_size=chunk_rows, columns=columns, use_threads=False
            )
            total = parquet.metadata.num_rows
            fields = pa.schema([schema.field(c) for c in columns])
            return Chunks(fields, _guard(batches, path), total, str(path), parquet, chunk_rows)
        if name.endswith(CSV_SUFFIXES):
            return _open_csv(path, model, chunk_rows)
    except (OSError, pa.ArrowException) as error:
        raise MonitorError(f"{path}: {error}") from None
    raise MonitorError(f"{path}: unknown format (expected .parquet or .csv)")


def _open_csv(path: Path, model: Model, chunk_rows: int) -> Chunks:
    # Types are fixed from the model, not inferred from the first block, so a column
    # that looks integral in its first block cannot fail on a later fractional value.
    types = {f.name: pa.float64() if f.kind == "numeric" else pa.string() for f in model.features}
    with pacsv.open_csv(path) as probe:
        _require_columns(probe.schema, list(types), path)
    # ~64 bytes a cell is a rough guess that keeps blocks near chunk_rows rows.
    block = min(CSV_MAX_BLOCK_BYTES, max(1 << 16, chunk_rows * 64 * max(1, len(types))))
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(block_size=block),
        convert_options=pacsv.ConvertOptions(column_types=types, include_columns=list(types)),
    )
    return Chunks(reader.schema, _guard(reader, path), None, str(path))


def _guard(reader: Iterator[pa.RecordBatch], path: Path) -> Iterator[pa.RecordBatch]:
    """Batches of ``reader``, with a read error as a ``MonitorError`` naming the file."""
    try:
        yield from reader
    except pa.ArrowException as error:
        raise MonitorError(f"{path}: {error}") from None


def _require_columns(schema: pa.Schema, columns: Sequence[str], path: Path | None = None) -> None:
    missing = [c for c in columns if c not in schema.names]
    if missing:
        where = f"{path}: " if path else ""
        raise MonitorError(f"{where}missing feature column(s): {', '.join(missing)}")


def check_type(name: str, kind: FeatureKind, dtype: pa.DataType, where: str = "") -> None:
    """Refuse a column whose type cannot hold the feature's values; `where` names the file."""
    if kind == "numeric":
        ok = pa.types.is_integer(dtype) or pa.types.is_floating(dtype) or pa.types.is_boolean(dtype)
        ok = ok or pa.types.is_decimal(dtype) or pa.types.is_null(dtype)
    else:
        if pa.types.is_dictionary(dtype):
            dtype = dtype.value_type
        ok = pa.types.is_string(dtype) or pa.types.is_large_string(dtype)
        ok = ok or pa.types.is_integer(dtype) or pa.types.is_boolean(dtype)
        ok = ok or pa.types.is_null(dtype)
    if not ok:
        raise MonitorError(f"{where}feature {name!r} is {kind} but its column has type {dtype}")


def numeric_values(column: pa.Array | pa.ChunkedArray) -> Any:
    """float64 numpy values with nulls as NaN."""
    floats = pc.cast(column, pa.float64())
    return floats.to_numpy(zero_copy_only=False)


def category_strings(column: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """A column as strings, before ``canonical_category`` (applied to its distinct values)."""
    return pc.cast(column, pa.string())


# A boolean written out as text (pandas writes True/False to CSV) is the category a
# boolean column gives, so the same data has the same categories in every format.
BOOLEAN_SPELLINGS = {"True": "true", "TRUE": "true", "False": "false", "FALSE": "false"}


def canonical_category(text: str | None) -> str | None:
    """The category a column's string spells, or None when it is missing.

    The empty string is missing: it is what a null becomes in a CSV file, and no
    Prometheus label can be empty (``bin=""`` reads as no label at all).
    """
    if not text:
        return None
    return BOOLEAN_SPELLINGS.get(text, text)


def category_key(value: object) -> str | None:
    """The category a Python value stands for, or None when it is missing."""
    if value is None:
        return None
    if isinstance(value, str):
        return canonical_category(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value != value:
        return None
    return str(value)
