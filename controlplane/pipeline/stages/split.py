"""`mlcp stage split`: a temporal split, so the held-out set is the most recent data.

Rows older than `retraining.data.window` (counted back from the newest row) are
dropped; of the rest, ordered by time, the newest `split.test` share is the test
set both models are judged on, the `split.validation` share before it is the
tuning objective's data, and everything older trains.
"""

from __future__ import annotations

import pandas as pd

from controlplane import pipeline_layout as layout
from controlplane.pipeline.context import PipelineError, Stage
from controlplane.pipeline.frames import read_frame, timestamps, write_frame


def temporal_split(
    frame: pd.DataFrame, window: float, validation: float, test: float
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    times = timestamps(frame[layout.TIME_COLUMN], layout.TIME_COLUMN)
    recent = frame.loc[times >= times.max() - pd.Timedelta(seconds=window)]
    ordered = recent.iloc[
        timestamps(recent[layout.TIME_COLUMN], layout.TIME_COLUMN).argsort(kind="stable")
    ]
    rows = len(ordered)
    test_rows = round(rows * test)
    valid_rows = round((rows - test_rows) * validation)
    train_end = rows - test_rows - valid_rows
    if min(train_end, valid_rows, test_rows) < 1:
        raise PipelineError(f"{rows} rows are too few to split into train, validation and test")
    parts = ordered.iloc[:train_end], ordered.iloc[train_end : rows - test_rows]
    return parts[0], parts[1], ordered.iloc[rows - test_rows :]


def split(stage: Stage) -> dict[str, int]:
    frame = read_frame(stage.require(layout.SOURCE))
    train, valid, test = temporal_split(
        frame,
        float(stage.param("data.window_seconds")),
        float(stage.param("split.validation")),
        float(stage.param("split.test")),
    )
    for part, path in ((train, layout.TRAIN), (valid, layout.VALID), (test, layout.TEST)):
        write_frame(part.reset_index(drop=True), stage.path(path))
    return {"train": len(train), "validation": len(valid), "test": len(test)}


def run(stage: Stage) -> str:
    sizes = split(stage)
    return f"split: {sizes['train']} train, {sizes['validation']} validation, {sizes['test']} test"
