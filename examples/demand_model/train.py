"""Entry point of the example demand-forecast: `fit(params, frame)` and `predict(model, frame)`."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder

CATEGORICAL = ["store_format", "category", "region"]
NUMERIC = ["lag_7d_units", "lag_28d_units", "price", "promo_depth", "temperature"]
# The spec's objectives, as scikit-learn's losses call them (no Tweedie: Poisson is its p=1).
LOSSES = {"l2": "squared_error", "huber": "absolute_error", "tweedie": "poisson"}


def fit(params: dict[str, Any], frame: pd.DataFrame) -> Pipeline:
    encode = OrdinalEncoder(
        handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-1
    )
    columns = ColumnTransformer([("cat", encode, CATEGORICAL), ("num", "passthrough", NUMERIC)])
    trees = HistGradientBoostingRegressor(
        loss=LOSSES[str(params.get("objective", "l2"))],
        max_leaf_nodes=int(params.get("num_leaves", 31)),
        learning_rate=float(params.get("learning_rate", 0.1)),
        max_iter=60,
        categorical_features=list(range(len(CATEGORICAL))),
        random_state=0,
    )
    model = Pipeline([("columns", columns), ("trees", trees)])
    model.fit(frame[CATEGORICAL + NUMERIC], frame["label"])
    return model


def predict(model: Pipeline, frame: pd.DataFrame) -> np.ndarray:
    return np.asarray(model.predict(frame[CATEGORICAL + NUMERIC]), dtype=np.float64)
