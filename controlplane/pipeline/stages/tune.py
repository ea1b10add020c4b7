"""`mlcp stage tune`: an Optuna study (TPE, seeded) over `retraining.tuning.space`,
optimizing the gate's metric on the validation slice.

The study lives in a SQLite file in the pipeline folder (a persistent DVC out),
named after what it searches, so a run killed on a spot instance resumes its
trials instead of starting over, and a changed search restarts in a new study.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Literal

from controlplane import pipeline_layout as layout
from controlplane.model import SearchParam
from controlplane.pipeline.context import Stage
from controlplane.pipeline.entrypoint import load_entrypoint, training_frame
from controlplane.pipeline.frames import read_frame
from controlplane.pipeline.metrics import metric as lookup
from controlplane.pipeline.scoring import score
from controlplane.pipeline.tune import tune


def search_space(space: dict[str, dict[str, Any]]) -> tuple[SearchParam, ...]:
    """params.yaml's `tune.space` as the model's search parameters."""
    params = []
    for name, body in sorted(space.items()):
        if "choices" in body:
            params.append(
                SearchParam(name, "categorical", None, None, False, tuple(body["choices"]))
            )
            continue
        kind: Literal["int", "float"] = "int" if "int" in body else "float"
        low, high = body[kind]
        params.append(SearchParam(name, kind, low, high, bool(body.get("log")), ()))
    return tuple(params)


def study_name(stage: Stage) -> str:
    """The model and a digest of what the study searches and judges by."""
    searched = {k: stage.param(k) for k in ("tune.space", "gate.metric", "train.entrypoint")}
    digest = hashlib.sha256(json.dumps(searched, sort_keys=True).encode()).hexdigest()[:12]
    return f"{stage.model_name}-{digest}"


def tune_stage(stage: Stage) -> dict[str, Any]:
    entry = load_entrypoint(str(stage.param("train.entrypoint")), stage.project_root)
    train = training_frame(read_frame(stage.require(layout.TRAIN)))
    valid = read_frame(stage.require(layout.VALID))
    metric = str(stage.param("gate.metric"))

    def objective(params: dict[str, Any]) -> float:
        model = entry.fit(dict(params), train)
        judged = valid.assign(prediction=entry.predict(model, valid))
        return score(metric, judged, "prediction")

    storage = stage.path(layout.STUDY)
    storage.parent.mkdir(parents=True, exist_ok=True)
    result = tune(
        search_space(dict(stage.param("tune.space"))),
        objective,
        direction="minimize" if lookup(metric).lower_is_better else "maximize",
        trials=int(stage.param("tune.trials")),
        timeout=float(stage.param("tune.timeout_seconds")),
        seed=int(stage.param("tune.seed")),
        storage=storage,
        study_name=study_name(stage),
    )
    return {
        "metric": metric,
        "best_value": result.best_value,
        "best_params": result.best_params,
        "completed": result.completed,
        "failed": result.failed,
        "resumed_from": result.resumed_from,
    }


def run(stage: Stage) -> str:
    report = tune_stage(stage)
    stage.write_json(layout.TUNING, report)
    return (
        f"tuned: best {report['metric']} {report['best_value']:.4g} with {report['best_params']}"
        f" ({report['completed']} trials completed, {report['failed']} failed,"
        f" {report['resumed_from']} of them from an earlier run)"
    )
