"""`mlcp stage gate`: promote only a candidate better than production by at least
`gate.min_improvement`, with p < `gate.alpha` (the test follows the metric: see
`controlplane.pipeline.gate`), and meeting every quality bar marked `broken`.
Every run checks every quality bar of the spec the held-out set can measure;
with no production model yet, the candidate must meet them all.

A rejection is a decision, not a failure: the stage succeeds and records it, and
`propose` proposes nothing.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from controlplane import pipeline_layout as layout
from controlplane.pipeline.context import Stage
from controlplane.pipeline.frames import read_frame
from controlplane.pipeline.gate import QualityBar, decide
from controlplane.pipeline.metrics import METRICS
from controlplane.pipeline.scoring import known, metric_inputs
from controlplane.pipeline.stages.evaluate import CANDIDATE, PRODUCTION


def spec_bars(params: dict[str, dict[str, Any]]) -> list[QualityBar]:
    """params.yaml's `gate.bars` as `decide(bars=…)` takes them; metrics the held-out set
    cannot measure (a name of the spec's own) are left out."""
    bars: list[QualityBar] = []
    for name, bounds in params.items():
        if not known(name):
            continue
        broken = bool(bounds.get("broken", False))
        for side in ("min", "max"):
            if side in bounds:
                bars.append(QualityBar(name, side, float(bounds[side]), broken))
    return bars


def _measured(bars: list[QualityBar], frame: pd.DataFrame) -> dict[str, Any]:
    """A ranking model's per-query values of each metric a bar is set on."""
    names = {bar.metric for bar in bars if METRICS[bar.metric].task == "ranking"}
    return {name: metric_inputs(name, frame, CANDIDATE)[1] for name in names}


def gate(stage: Stage) -> dict[str, Any]:
    frame = read_frame(stage.require(layout.PREDICTIONS))
    metric = str(stage.param("gate.metric"))
    bars = spec_bars(dict(stage.param("gate.bars")))
    y_true, candidate = metric_inputs(metric, frame, CANDIDATE)
    production = metric_inputs(metric, frame, PRODUCTION)[1] if PRODUCTION in frame else None
    result = decide(
        metric,
        y_true,
        candidate,
        production,
        min_improvement=float(stage.param("gate.min_improvement")),
        alpha=float(stage.param("gate.alpha")),
        seed=int(stage.param("gate.seed")),
        resamples=int(stage.param("gate.resamples")),
        bars=bars,
        measured=_measured(bars, frame) or None,
    )
    return {
        **result.to_dict(),
        "decision": "promote" if result.passed else "reject",
        "first_run": production is None,
    }


def run(stage: Stage) -> str:
    decision = gate(stage)
    stage.write_json(layout.GATE, decision)
    return f"gate: {decision['decision']}: {decision['reason']}"
