"""Entry point of the example recommender: `fit(params, frame)` and `predict(model, frame)`.

A pointwise ranker: it learns the click probability of each (session, item) row,
and items are ranked by it within their query.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder

CATEGORICAL = ["device", "country", "item_category"]
NUMERIC = ["user_tenure_days", "session_length", "item_price", "item_popularity"]


def fit(params: dict[str, Any], frame: pd.DataFrame) -> Pipeline:
    encode = OrdinalEncoder(
        handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-1
    )
    columns = ColumnTransformer([("cat", encode, CATEGORICAL), ("num", "passthrough", NUMERIC)])
    trees = HistGradientBoostingClassifier(
        # The spec searches embedding sizes; a tree model spends them as leaves.
        max_leaf_nodes=max(2, int(params.get("embedding_dim", 64)) // 4),
        learning_rate=float(params.get("learning_rate", 0.1)) * 10,
        max_iter=40,
        categorical_features=list(range(len(CATEGORICAL))),
        random_state=0,
    )
    model = Pipeline([("columns", columns), ("trees", trees)])
    model.fit(frame[CATEGORICAL + NUMERIC], frame["label"])
    return model


def predict(model: Pipeline, frame: pd.DataFrame) -> np.ndarray:
    return np.asarray(model.predict_proba(frame[CATEGORICAL + NUMERIC])[:, 1], dtype=np.float64)
