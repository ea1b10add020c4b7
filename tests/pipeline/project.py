"""A small copy of the example project, and a retraining workspace prepared from it once.

The example fraud-detector with 3,000 rows and two tuning trials: the real DVC
pipeline end to end in seconds rather than minutes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from controlplane import pipeline_layout as layout
from examples.synthetic import fraud
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples"
MODEL = "fraud-detector"
ROWS = 3000
MIN_ROWS = 1000


def small_project(target: Path, frame: pd.DataFrame | None = None) -> Path:
    """examples/ with the fraud data cut to ROWS rows, MIN_ROWS and 2 trials; its specs folder."""
    shutil.copytree(EXAMPLES / "specs", target / "specs")
    shutil.copytree(
        EXAMPLES / "fraud_model",
        target / "fraud_model",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    (target / "data").mkdir()
    shutil.copyfile(
        EXAMPLES / "data" / f"{MODEL}.profile.json", target / "data" / f"{MODEL}.profile.json"
    )
    data = frame if frame is not None else fraud(ROWS, drift=0.02, seed=2)
    data.to_parquet(target / "data" / f"{MODEL}.parquet", index=False)
    spec = target / "specs" / f"{MODEL}.yaml"
    text = spec.read_text(encoding="utf-8")
    for old, new in (("trials: 6", "trials: 2"), ("min_rows: 8000", f"min_rows: {MIN_ROWS}")):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    spec.write_text(text, encoding="utf-8")
    return target / "specs"


def pipeline_folder(workspace: Path) -> Path:
    return workspace / "build" / "pipelines" / MODEL


def replace_source(workspace: Path, frame: pd.DataFrame) -> None:
    frame.to_parquet(pipeline_folder(workspace) / layout.SOURCE, index=False)
