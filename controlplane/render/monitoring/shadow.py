"""Shadow divergence, for models with a shadow phase: its recording rule, alert and panel.

The exporter adds each compared request's divergence and weight to two sums
(`controlplane.shadow` says what, per task); the figure is their ratio over
the window, so it is the same number `mlcp shadow-report` and `mlcp promote`
compute.
"""

from __future__ import annotations

from controlplane import contract
from controlplane.alerts import declared
from controlplane.model import Model
from controlplane.render.monitoring import humanize, promql
from controlplane.render.monitoring.rules import Alert, Recording
from controlplane.shadow import MEASURES

WINDOW = "1h"


def divergence_series(model: Model) -> str:
    return promql.recorded(contract.REC_SHADOW_DIVERGENCE, WINDOW, model.name)


def divergence_expr(model_name: str, window: str) -> str:
    """The divergence over `window`: what the recording rule records, and what
    `mlcp promote --prometheus` asks for over the whole shadow phase."""
    divergence = promql.increase_by_model(contract.SHADOW_DIVERGENCE_SUM, model_name, window)
    weight = promql.increase_by_model(contract.SHADOW_WEIGHT_SUM, model_name, window)
    return f"{divergence}\n/\n{weight}"


def shadow_recordings(model: Model) -> list[Recording]:
    if model.rollout.shadow is None:
        return []
    record = contract.recorded(contract.REC_SHADOW_DIVERGENCE, WINDOW)
    return [Recording(record, divergence_expr(model.name, WINDOW))]


def shadow_alerts(model: Model) -> list[Alert]:
    shadow = model.rollout.shadow
    if shadow is None:
        return []
    bound = humanize.percent(shadow.max_divergence)
    return [
        Alert(
            declaration=declared(contract.ALERT_SHADOW_DIVERGENCE),
            expr=f"{divergence_series(model)} > {promql.number(shadow.max_divergence)}",
            summary=f"{model.name}: the shadow candidate diverges from stable",
            head=f"The {MEASURES[model.task]} of the candidate against stable over the last"
            f" {WINDOW} is ",
            value_format="percent",
            tail=f"; rollout.shadow.max_divergence is {bound}.",
        )
    ]
