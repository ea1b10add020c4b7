"""The training entry point: `module:fit(params, frame) -> model` and
`module:predict(model, frame) -> predictions`, imported from the project root.

`fit` receives the tuned parameters and a frame of the features, the label
column and (ranking) the query column; `predict` receives a frame without the
label and returns one prediction per row: a class label (classification), a
value (regression) or a score to rank by within each query (ranking).
"""

from __future__ import annotations

import importlib
import pickle
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from controlplane import pipeline_layout as layout
from controlplane.pipeline.context import PipelineError

Fit = Callable[[dict[str, Any], pd.DataFrame], Any]
Predict = Callable[[Any, pd.DataFrame], Any]


@dataclass(frozen=True)
class EntryPoint:
    name: str
    fit: Fit
    predict_raw: Predict

    def predict(self, model: Any, frame: pd.DataFrame) -> npt.NDArray[Any]:
        features = frame.drop(columns=[layout.LABEL_COLUMN, layout.TIME_COLUMN], errors="ignore")
        predictions = np.asarray(self.predict_raw(model, features))
        if predictions.shape != (len(frame),):
            raise PipelineError(
                f"{self.name}: predict returned shape {predictions.shape} for {len(frame)} rows"
            )
        return predictions


def load_entrypoint(spec: str, root: Path) -> EntryPoint:
    """`fit` as named, and `predict` beside it in the same module."""
    module_name, _, fit_name = spec.partition(":")
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise PipelineError(f"entry point {spec}: cannot import {module_name}: {error}") from None
    fit, predict = getattr(module, fit_name, None), getattr(module, "predict", None)
    if not callable(fit) or not callable(predict):
        missing = fit_name if not callable(fit) else "predict"
        raise PipelineError(f"entry point {spec}: {module_name} has no function {missing}")
    return EntryPoint(spec, fit, predict)


def training_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """What fit sees: everything but the timestamp."""
    return frame.drop(columns=[layout.TIME_COLUMN], errors="ignore")


def save_model(model: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(model, protocol=5))


def load_model(path: Path) -> Any:
    try:
        return pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, AttributeError, ImportError) as error:
        raise PipelineError(f"{path}: cannot load the model: {error}") from None
