"""Entry point of the example fraud-detector: `fit(params, frame)` and `predict(model, frame)`."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder

CATEGORICAL = ["country", "mcc", "channel"]
NUMERIC = ["amount", "account_age_days", "merchant_risk"]
# A missed fraud costs far more than a false alarm: flag from a 20 % score.
THRESHOLD = 0.2


def fit(params: dict[str, Any], frame: pd.DataFrame) -> Pipeline:
    encode = OrdinalEncoder(
        handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-1
    )
    columns = ColumnTransformer([("cat", encode, CATEGORICAL), ("num", "passthrough", NUMERIC)])
    trees = HistGradientBoostingClassifier(
        max_depth=int(params.get("max_depth", 6)),
        learning_rate=float(params.get("learning_rate", 0.1)),
        max_iter=int(params.get("max_iter", 60)),
        categorical_features=list(range(len(CATEGORICAL))),
        random_state=0,
    )
    model = Pipeline([("columns", columns), ("trees", trees)])
    model.fit(frame[CATEGORICAL + NUMERIC], frame["label"])
    return model


def predict(model: Pipeline, frame: pd.DataFrame) -> np.ndarray:
    scores = model.predict_proba(frame[CATEGORICAL + NUMERIC])[:, 1]
    return (scores >= THRESHOLD).astype(np.int64)
