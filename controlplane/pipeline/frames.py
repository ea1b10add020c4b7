"""Reading the pipeline's tables, and the columns the stages expect besides the features."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from controlplane.pipeline.context import PipelineError


def read_table(path: Path) -> pa.Table:
    try:
        return pq.read_table(path)
    except FileNotFoundError:
        raise PipelineError(f"{path}: no such file") from None
    except (OSError, pa.ArrowException) as error:
        raise PipelineError(f"{path}: not a readable Parquet file: {error}") from None


def read_frame(path: Path) -> pd.DataFrame:
    frame: pd.DataFrame = read_table(path).to_pandas()
    return frame


def write_frame(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(path, index=False)


def timestamps(column: Any, name: str) -> pd.Series:
    """A column as UTC timestamps; a column that holds none is a clear error."""
    try:
        with warnings.catch_warnings():  # pandas warns when it parses value by value
            warnings.simplefilter("ignore", UserWarning)
            values = pd.to_datetime(pd.Series(column), utc=True)
    except (ValueError, TypeError) as error:
        raise PipelineError(f"column {name!r} does not hold timestamps ({error})") from None
    result: pd.Series = values
    return result
