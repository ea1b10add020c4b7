"""validate's checks that need no DVC: the window the data covers, the time column, the
first run without a production profile."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from controlplane import pipeline_layout as layout
from controlplane.compile import compile_paths
from controlplane.pipeline.context import Stage
from controlplane.pipeline.stages.validate import validate
from controlplane.render.pipeline import render_model
from examples.synthetic import fraud
from tests.pipeline.project import EXAMPLES, MODEL


def _validate(folder: Path, frame: pd.DataFrame, *, profile: bool = True) -> dict[str, Any]:
    compilation = compile_paths([EXAMPLES / "specs"])
    model = next(m for m in compilation.models if m.name == MODEL)
    params = next(a for a in render_model(model, compilation.config) if "params" in a.path)
    (folder / "params.yaml").write_text(params.content, encoding="utf-8")
    (folder / "data").mkdir()
    frame.to_parquet(folder / layout.SOURCE, index=False)
    (folder / "production").mkdir()
    if profile:
        (folder / layout.PRODUCTION_PROFILE).write_bytes(
            (EXAMPLES / "data/fraud-detector.profile.json").read_bytes()
        )
    return validate(Stage(MODEL, EXAMPLES / "specs", folder))


def test_data_short_of_the_window_fails(tmp_path: Path) -> None:
    # examples/specs/fraud-detector.yaml: window 9mo (270 days); this data covers 200.
    report = _validate(tmp_path, fraud(9000, seed=3, days=200))
    assert report["failures"] == [
        {
            "check": "coverage",
            "feature": None,
            "message": "the data covers 200 days, short of the window "
            "retraining.data.window (270 days)",
        }
    ]


def test_rows_older_than_the_window_do_not_count(tmp_path: Path) -> None:
    frame = fraud(20_000, seed=3, days=540)  # half of it older than 270 days
    report = _validate(tmp_path, frame)
    newest = frame["timestamp"].max()
    expected = int((frame["timestamp"] >= newest - pd.Timedelta(days=270)).sum())
    assert report["rows_in_window"] == expected
    assert report["passed"]


def test_a_time_column_without_timestamps_is_a_schema_failure(tmp_path: Path) -> None:
    frame = fraud(9000, seed=3).assign(timestamp="last tuesday")
    report = _validate(tmp_path, frame)
    assert [(f["check"], f["message"][:43]) for f in report["failures"]] == [
        ("schema", "column 'timestamp' does not hold timestamps")
    ]


def test_the_first_run_has_no_reference_and_says_so(tmp_path: Path) -> None:
    report = _validate(tmp_path, fraud(9000, seed=3), profile=False)
    assert report["passed"]
    assert report["reference"] == "none (first run: no production)"
    assert report["features"] == {}


@pytest.mark.parametrize("column", ["label", "timestamp"])
def test_the_label_and_time_columns_are_required(tmp_path: Path, column: str) -> None:
    report = _validate(tmp_path, fraud(9000, seed=3).drop(columns=[column]))
    assert {"check": "schema", "feature": None, "message": f"missing column {column!r}"} in report[
        "failures"
    ]
