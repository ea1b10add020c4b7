"""`mlcp stage gate`: promote only a candidate that is better than production by at least
`gate.min_improvement`, with p < `gate.alpha` (the test follows the metric: see
`controlplane.pipeline.gate`), and that meets every quality bar of the spec the
held-out set can measure. With no production model yet, the bars decide alone.

A rejection is a decision, not a failure: the stage succeeds and records it, and
`propose` proposes nothing.
"""

from __future__ import annotations

from typing import Any

from controlplane.pipeline import layout
from controlplane.pipeline.context import Stage
from controlplane.pipeline.frames import read_frame
from controlplane.pipeline.gate import Bar, decide
from controlplane.pipeline.scoring import known, metric_inputs, score
from controlplane.pipeline.stages.evaluate import CANDIDATE, PRODUCTION


def bar_checks(bars: dict[str, dict[str, float]], frame: Any) -> dict[str, dict[str, Any]]:
    checks = {}
    for name, bounds in bars.items():
        if not known(name):
            continue  # a metric the held-out set cannot measure (the spec's own name)
        value = score(name, frame, CANDIDATE)
        met = all(value >= v if side == "min" else value <= v for side, v in bounds.items())
        checks[name] = {"candidate": value, **bounds, "met": met}
    return checks


def _bars_text(checks: dict[str, dict[str, Any]]) -> str:
    def one(name: str, check: dict[str, Any]) -> str:
        sides = [f"{'≥' if s == 'min' else '≤'} {check[s]:g}" for s in ("min", "max") if s in check]
        return f"{name} {check['candidate']:.4g} {' '.join(sides)}"

    return ", ".join(one(name, check) for name, check in sorted(checks.items()))


def gate(stage: Stage) -> dict[str, Any]:
    frame = read_frame(stage.require(layout.PREDICTIONS))
    metric = str(stage.param("gate.metric"))
    bars: dict[str, dict[str, float]] = dict(stage.param("gate.bars"))
    y_true, candidate = metric_inputs(metric, frame, CANDIDATE)
    production = metric_inputs(metric, frame, PRODUCTION)[1] if PRODUCTION in frame else None
    own = bars.get(metric, {})
    own_bar: Bar | None = ("min", own["min"]) if "min" in own else None
    own_bar = ("max", own["max"]) if "max" in own else own_bar
    result = decide(
        metric,
        y_true,
        candidate,
        production,
        min_improvement=float(stage.param("gate.min_improvement")),
        alpha=float(stage.param("gate.alpha")),
        seed=int(stage.param("gate.seed")),
        resamples=int(stage.param("gate.resamples")),
        bar=own_bar,
    )
    checks = bar_checks(bars, frame)
    missed = sorted(name for name, check in checks.items() if not check["met"])
    passed = result.passed and not missed
    reason = result.reason
    if missed:
        reason += f"; below the spec's bar on {', '.join(missed)}: rejected"
    elif checks:
        reason += f"; every bar of the spec is met ({_bars_text(checks)})"
    return {
        **result.to_dict(),
        "passed": passed,
        "decision": "promote" if passed else "reject",
        "reason": reason,
        "first_run": production is None,
        "bars": checks,
    }


def run(stage: Stage) -> str:
    decision = gate(stage)
    stage.write_json(layout.GATE, decision)
    return f"gate: {decision['decision']}: {decision['reason']}"
