"""`mlcp stage train`: fit the candidate with the tuned parameters, save it, and write its
reference profile with `mlcp profile`'s code (what serving will compare traffic with)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from controlplane import pipeline_layout as layout
from controlplane.monitor import build_profile, profile_to_json
from controlplane.pipeline.context import Stage
from controlplane.pipeline.entrypoint import load_entrypoint, save_model, training_frame
from controlplane.pipeline.frames import read_frame


def train(stage: Stage) -> dict[str, Any]:
    entry = load_entrypoint(str(stage.param("train.entrypoint")), stage.project_root)
    best = stage.read_json(layout.TUNING)["best_params"]
    # The validation slice chose the parameters; the candidate learns from it too.
    frame = pd.concat(
        [read_frame(stage.require(layout.TRAIN)), read_frame(stage.require(layout.VALID))],
        ignore_index=True,
    )
    model = entry.fit(dict(best), training_frame(frame))
    save_model(model, stage.path(layout.CANDIDATE))
    profile = build_profile(frame, stage.model)
    stage.path(layout.CANDIDATE_PROFILE).write_text(profile_to_json(profile), encoding="utf-8")
    return {"rows": len(frame), "params": best}


def run(stage: Stage) -> str:
    trained = train(stage)
    return f"trained the candidate on {trained['rows']} rows with {trained['params']}"
