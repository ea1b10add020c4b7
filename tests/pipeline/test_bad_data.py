"""Bad data stops the pipeline at validate, under real `dvc repro`: one case each, the
message names the feature, and no later stage runs.

The thresholds are examples/specs/fraud-detector.yaml's as written: null rate above
2x training and above 1 %; unseen categories above 0.5 %; PSI critical 0.3 for
amount (its override). The training null share of merchant_risk is read from the
bundled production profile.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from controlplane import pipeline_layout as layout
from controlplane.errors import EXIT_ERRORS
from controlplane.pipeline.context import StageFailed
from controlplane.pipeline.retrain import run
from examples.synthetic import fraud
from tests.pipeline.project import EXAMPLES, MIN_ROWS, ROWS, pipeline_folder, replace_source

TRAINING_NULL_SHARE = json.loads(
    (EXAMPLES / "data/fraud-detector.profile.json").read_text(encoding="utf-8")
)["features"]["merchant_risk"]["null_share"]


def _good() -> pd.DataFrame:
    return fraud(ROWS, drift=0.0, seed=7)


def nulls_at_three_times_training(frame: pd.DataFrame) -> pd.DataFrame:
    risk = frame["merchant_risk"].fillna(0.2).to_numpy(copy=True)
    share = 3 * TRAINING_NULL_SHARE
    risk[np.random.default_rng(0).permutation(len(risk))[: round(share * len(risk))]] = np.nan
    return frame.assign(merchant_risk=risk)


def new_category_at_ten_percent(frame: pd.DataFrame) -> pd.DataFrame:
    country = frame["country"].to_numpy(dtype=object, copy=True)
    country[np.arange(len(country)) % 10 == 0] = "ZZ"
    return frame.assign(country=country)


def shifted_numeric(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(amount=frame["amount"] * 3)


def too_few_rows(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.iloc[:: ROWS // (MIN_ROWS // 2)]  # half of min_rows, over the whole window


def missing_column(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=["mcc"])


def wrong_type(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(account_age_days=frame["account_age_days"].map(lambda v: f"{v:.0f} days"))


CASES: list[tuple[Callable[[pd.DataFrame], pd.DataFrame], str]] = [
    (
        nulls_at_three_times_training,
        # 98 of 3,000 rows: 3.27 %, 2.99 times the profile's 1.09 %.
        "completeness: feature 'merchant_risk': null rate of training x2.99 > x2.00",
    ),
    (
        new_category_at_ten_percent,
        "completeness: feature 'country': unseen categories 10.00% > 0.50%",
    ),
    (shifted_numeric, "distribution: feature 'amount': psi"),
    (too_few_rows, f"fewer than retraining.data.min_rows ({MIN_ROWS})"),
    (missing_column, "schema: feature 'mcc': missing column"),
    (wrong_type, "schema: feature 'account_age_days': "),
]


def test_the_good_data_of_these_cases_is_valid() -> None:
    # Each case breaks one thing in data that passes: checked here without DVC.
    from controlplane.compile import find_model
    from controlplane.monitor import compute_drift, load_profile
    from controlplane.pipeline.stages.validate import drift_findings

    model = find_model(EXAMPLES / "specs", "fraud-detector").model
    profile = load_profile(EXAMPLES / "data/fraud-detector.profile.json")
    assert drift_findings(model, compute_drift(_good(), model, profile)) == []


@pytest.mark.parametrize(("damage", "expected"), CASES, ids=[c[0].__name__ for c in CASES])
def test_bad_data_fails_validate_and_nothing_after_it_runs(
    workspace: Path, damage: Callable[[pd.DataFrame], pd.DataFrame], expected: str
) -> None:
    replace_source(workspace, damage(_good()))
    with pytest.raises(StageFailed) as failure:
        run(workspace, pipeline_folder(workspace), None)
    assert failure.value.exit_code == EXIT_ERRORS
    message = str(failure.value)
    assert message.startswith("stage validate failed")
    assert expected in message
    folder = pipeline_folder(workspace)
    report = json.loads((folder / layout.VALIDATION).read_text(encoding="utf-8"))
    assert report["passed"] is False
    assert not (folder / layout.TRAIN).exists()
    lock = folder / "dvc.lock"
    assert not lock.exists() or "split:" not in lock.read_text(encoding="utf-8")
