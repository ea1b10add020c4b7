"""`mlcp stage evaluate`: the candidate and the production model predict the same
held-out (most recent) rows; the gate compares them from these predictions."""

from __future__ import annotations

from typing import Any

import pandas as pd

from controlplane import pipeline_layout as layout
from controlplane.pipeline.context import Stage
from controlplane.pipeline.entrypoint import load_entrypoint, load_model
from controlplane.pipeline.frames import read_frame, write_frame
from controlplane.pipeline.metrics import defined
from controlplane.pipeline.scoring import known, score

CANDIDATE, PRODUCTION = "candidate", "production"


def evaluate(stage: Stage) -> dict[str, Any]:
    entry = load_entrypoint(str(stage.param("train.entrypoint")), stage.project_root)
    test = read_frame(stage.require(layout.TEST))
    kept = [c for c in (layout.LABEL_COLUMN, layout.QUERY_COLUMN) if c in test.columns]
    predictions = pd.DataFrame({c: test[c] for c in kept})
    predictions[CANDIDATE] = entry.predict(load_model(stage.require(layout.CANDIDATE)), test)
    production = stage.path(layout.PRODUCTION_MODEL)
    if production.exists():
        predictions[PRODUCTION] = entry.predict(load_model(production), test)
    write_frame(predictions, stage.path(layout.PREDICTIONS))
    metrics = [str(stage.param("gate.metric")), *stage.param("gate.bars")]
    models = [m for m in (CANDIDATE, PRODUCTION) if m in predictions.columns]
    return {
        "n": len(test),
        "production": production.exists(),
        **{
            m: {name: defined(score(name, predictions, m)) for name in metrics if known(name)}
            for m in models
        },
    }


def run(stage: Stage) -> str:
    report = evaluate(stage)
    stage.write_json(layout.EVALUATION, report)
    against = "and production" if report["production"] else "(no production model yet)"
    return f"evaluated the candidate {against} on {report['n']} held-out rows"
