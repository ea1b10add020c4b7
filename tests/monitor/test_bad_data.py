"""Bad data is an error, not a number: empty files, empty references, columns
that are null in every training row, and the values serving code may pass.

Each case is one line naming the file and the feature, and exit 2 for the
commands; the messages are written out here as a person should read them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from controlplane.monitor import ModelMonitor, MonitorError, build_profile, compute_drift
from controlplane.monitor.commands import drift_command, profile_command
from tests.monitor.factories import make_frame, make_model
from tests.monitor.test_commands import fraud_frame, profile, run
from tests.monitor.test_exporter import bin_counts

MODEL = make_model()
PROFILE = build_profile(make_frame(1000, seed=1), MODEL)


def values_counted(monitor: ModelMonitor) -> float:
    """Every feature value the monitor's scrape shows as counted, in any bin."""
    return sum(sum(bin_counts(monitor, f.name).values()) for f in MODEL.features)


def profile_args(examples: Path, out: Path, data: Path) -> list[str | Path]:
    return ["--model", "fraud-detector", "--specs", examples, "--out", out, data]


def drift_args(examples: Path, reference: Path, data: Path) -> list[str | Path]:
    return ["--model", "fraud-detector", "--specs", examples, "--profile", reference, data]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    pq.write_table(fraud_frame(3000, seed=1), tmp_path / "train.parquet")
    empty = fraud_frame(0, seed=1)
    pq.write_table(empty, tmp_path / "empty.parquet")
    pacsv.write_csv(empty, tmp_path / "empty.csv")
    return tmp_path


@pytest.mark.parametrize("name", ["empty.parquet", "empty.csv"])
def test_profiling_an_empty_file_is_an_error(data: Path, examples: Path, name: str) -> None:
    out = data / "profile.json"
    code, stdout, stderr = run(profile_command, *profile_args(examples, out, data / name))
    assert (code, stdout, stderr) == (2, "", f"mlcp profile: {data / name}: no rows\n")
    assert not out.exists()


def test_drift_of_an_empty_file_is_an_error(data: Path, examples: Path) -> None:
    reference = profile(data, examples)
    empty = data / "empty.parquet"
    code, stdout, stderr = run(drift_command, *drift_args(examples, reference, empty))
    assert (code, stdout, stderr) == (2, "", f"mlcp drift: {empty}: no rows\n")


def test_drift_against_an_empty_profile_is_an_error(data: Path, examples: Path) -> None:
    """A profile of no rows (written by an older mlcp, or by hand) is no reference."""
    reference = profile(data, examples)
    document = json.loads(reference.read_text())
    document["rows"] = 0
    for feature in document["features"].values():
        feature.update(nulls=0, counts=[0] * len(feature["counts"]))
    reference.write_text(json.dumps(document))
    train = data / "train.parquet"
    code, stdout, stderr = run(drift_command, *drift_args(examples, reference, train))
    assert (code, stdout, stderr) == (2, "", f"mlcp drift: {reference}: no rows\n")


def test_drift_against_a_profile_with_a_column_never_seen_is_an_error(
    data: Path, examples: Path
) -> None:
    reference = profile(data, examples)
    document = json.loads(reference.read_text())
    document["features"]["merchant_risk"]["nulls"] = document["rows"]
    reference.write_text(json.dumps(document))
    train = data / "train.parquet"
    code, stdout, stderr = run(drift_command, *drift_args(examples, reference, train))
    message = f"mlcp drift: {reference}: feature 'merchant_risk' is null in all 3000 rows\n"
    assert (code, stdout, stderr) == (2, "", message)


def test_a_training_column_null_in_every_row_is_an_error(data: Path, examples: Path) -> None:
    frame = fraud_frame(500, seed=4)
    frame = frame.set_column(2, "merchant_risk", pa.nulls(500, pa.float64()))
    pq.write_table(frame, data / "no_risk.parquet")
    out = data / "profile.json"
    code, stdout, stderr = run(
        profile_command, *profile_args(examples, out, data / "no_risk.parquet")
    )
    message = f"mlcp profile: {data / 'no_risk.parquet'}: feature 'merchant_risk' is null in all 500 rows\n"
    assert (code, stdout, stderr) == (2, "", message)
    assert not out.exists()


def test_several_null_columns_are_named_in_one_line() -> None:
    frame = make_frame(50, seed=1)
    frame = frame.set_column(0, "amount", pa.nulls(50, pa.float64()))
    frame = frame.set_column(2, "country", pa.nulls(50, pa.string()))
    with pytest.raises(MonitorError) as caught:
        build_profile(frame, MODEL)
    assert str(caught.value) == "the Table: features 'amount', 'country' are null in all 50 rows"


def test_training_data_below_min_rows_is_a_warning(data: Path, examples: Path) -> None:
    """specs/fraud-detector.yaml trains on at least 100000 rows; 3000 profile, with a warning."""
    out = data / "profile.json"
    train = data / "train.parquet"
    code, stdout, stderr = run(profile_command, *profile_args(examples, out, train))
    assert (code, stdout) == (0, f"{out}: 3000 rows, 6 features\n")
    assert stderr == (
        f"mlcp profile: warning: {train}: 3000 rows, fewer than "
        "retraining.data.min_rows (100000) of 'fraud-detector'\n"
    )


def test_in_memory_frames_without_rows_are_errors_too() -> None:
    empty = make_frame(0)
    with pytest.raises(MonitorError, match=r"^the Table: no rows$"):
        build_profile(empty, MODEL)
    with pytest.raises(MonitorError, match=r"^the Table: no rows$"):
        compute_drift(empty, MODEL, PROFILE)
    # Serving may hand over an empty batch: nothing to count, nothing wrong.
    ModelMonitor(MODEL, PROFILE).observe_batch(empty)


def test_the_drift_table_shows_the_null_share_beside_the_ratio(data: Path, examples: Path) -> None:
    """Training has no null merchant_risk; 400 of 2000 rows are null now: 20 %,
    2000 times the training share floored at 1e-4 (0.2 / 1e-4)."""
    reference = profile(data, examples)
    frame = fraud_frame(2000, seed=2)
    risk = frame.column("merchant_risk").to_numpy().copy()
    risk[:400] = np.nan
    frame = frame.set_column(2, "merchant_risk", pa.array(risk, from_pandas=True))
    pq.write_table(frame, data / "nulls.parquet")
    _, stdout, _ = run(drift_command, *drift_args(examples, reference, data / "nulls.parquet"))
    header, *rows = stdout.splitlines()
    columns = re.split(r"\s{2,}", header)
    assert columns[3] == "nulls (x training)"
    (risk_row,) = [re.split(r"\s{2,}", row) for row in rows if row.startswith("merchant_risk")]
    assert risk_row[3] == "20.00% (x2000.00)"
    (amount_row,) = [re.split(r"\s{2,}", row) for row in rows if row.startswith("amount ")]
    assert amount_row[3] == "0.00% (x0.00)"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            {"amount": "14.2"},
            "feature 'amount' is numeric: expected a number or None, got str '14.2'",
        ),
        (
            {"amount": 1.0, "age": b"3"},
            "feature 'age' is numeric: expected a number or None, got bytes b'3'",
        ),
        (
            {"country": ["US"]},
            "feature 'country' is categorical: expected a str, int, bool or None, got list ['US']",
        ),
    ],
)
def test_observe_refuses_a_value_of_the_wrong_type(row: dict[str, object], message: str) -> None:
    monitor = ModelMonitor(MODEL, PROFILE)
    with pytest.raises(TypeError) as caught:
        monitor.observe(row)
    assert str(caught.value) == message
    # Nothing of the refused row was counted.
    monitor.observe({"amount": 1.0, "age": 2, "country": "US"})
    assert values_counted(monitor) == 3  # one bin per feature of the accepted row


def test_observe_still_counts_missing_values_as_null() -> None:
    monitor = ModelMonitor(MODEL, PROFILE)
    monitor.observe({"amount": None, "age": float("nan")})
    monitor.observe({"country": "XX"})
    assert values_counted(monitor) == 6
    assert bin_counts(monitor, "amount")["null"] == 2
    assert bin_counts(monitor, "country")["unseen"] == 1


@pytest.mark.parametrize(
    ("task", "y_true", "y_pred", "message"),
    [
        (
            "classification",
            [1, 0, 1],
            [[0.2, 0.8], [0.9, 0.1], [0.3, 0.7]],
            "y_pred has shape (3, 2): expected one value per row, shape (3,) "
            "(for class probabilities, pass the positive class's column, "
            "e.g. predict_proba(X)[:, 1])",
        ),
        (
            "classification",
            [1, 0],
            [0.9, 0.1, 0.4],
            "y_true has 2 values and y_pred 3: expected one y_pred value per label",
        ),
        (
            "regression",
            [[1.0, 2.0], [3.0, 4.0]],
            [1.0, 2.0],
            "y_true has shape (2, 2): expected one value per row, shape (2,)",
        ),
        (
            "regression",
            ["1.5", "2"],
            [1.0, 2.0],
            "y_true: expected numbers, one per row, got text ('1.5', ...)",
        ),
        (
            "classification",
            [1, 0],
            [0.9, None],
            "y_pred: 1 missing value(s) (None or NaN), the first at position 1: "
            "expected a number in every row",
        ),
    ],
)
def test_record_outcomes_says_what_was_expected(
    task: str, y_true: object, y_pred: object, message: str
) -> None:
    model = make_model(task=task)
    monitor = ModelMonitor(model, build_profile(make_frame(100), model))
    with pytest.raises(ValueError) as caught:
        monitor.record_outcomes(y_true, y_pred)
    assert str(caught.value) == message


def test_a_column_vector_of_scores_is_one_score_per_row() -> None:
    monitor = ModelMonitor(MODEL, PROFILE)
    monitor.record_outcomes([1, 0], [[0.9], [0.2]])  # no error: shape (2, 1) is (2,)
