"""Alerts on data health: feature drift (PSI), nulls, out-of-range values and
unseen categories."""

from __future__ import annotations

from controlplane import contract
from controlplane.model import Feature, Model
from controlplane.render.monitoring import humanize, promql
from controlplane.render.monitoring.rec_drift import base_window, windows
from controlplane.render.monitoring.rules import Alert, label_ref

MINUTE = 60.0
FOR_DRIFT_CRITICAL = 15 * MINUTE
FOR_DRIFT_WARNING = 30 * MINUTE
FOR_DATA = 30 * MINUTE

FEATURE = label_ref(contract.FEATURE)
WINDOW = label_ref(contract.WINDOW)


def drift(model: Model, feature: Feature, critical: bool) -> Alert:
    """One rule per feature and level, since a feature may override the thresholds;
    it fires once per drift window whose PSI is at or past the threshold."""
    threshold = feature.psi.critical if critical else feature.psi.warn
    parts = [
        promql.recorded(contract.REC_FEATURE_PSI, w, model.name, feature=feature.name)
        + f" >= {promql.number(threshold)}"
        for w in windows(model)
    ]
    level = "critical" if critical else "warning"
    return Alert(
        name=contract.ALERT_DRIFT_CRITICAL if critical else contract.ALERT_DRIFT_WARNING,
        expr="\nor\n".join(parts),
        for_seconds=FOR_DRIFT_CRITICAL if critical else FOR_DRIFT_WARNING,
        severity="page" if critical else "ticket",
        category="data",
        summary=f"{model.name}: feature {feature.name} drifted ({level})",
        head=f"PSI of feature {feature.name} over the last {WINDOW} is ",
        value_format="psi",
        tail=f", at or above the {level} threshold {promql.number(threshold)}.",
        extra_labels=((contract.FEATURE, feature.name),),
    )


def nulls(model: Model) -> Alert:
    base = base_window(model)
    series = promql.recorded(contract.REC_FEATURE_NULL_VS_TRAINING, base, model.name)
    limit = promql.number(model.drift.null_max_ratio_to_training)
    return Alert(
        name=contract.ALERT_NULL_RATE,
        expr=f"{series} > {limit}",
        for_seconds=FOR_DATA,
        severity="ticket",
        category="data",
        summary=f"{model.name}: feature {FEATURE} has more nulls than in training",
        head=f"The null share of feature {FEATURE} over the last {base} is ",
        value_format="number",
        tail=f" times its share in training; the spec allows at most {limit} times.",
    )


def out_of_range(model: Model) -> Alert:
    base = base_window(model)
    series = promql.recorded(contract.REC_FEATURE_OUT_OF_RANGE_RATIO, base, model.name)
    limit = model.drift.out_of_range_max_rate
    return Alert(
        name=contract.ALERT_OUT_OF_RANGE,
        expr=f"{series} > {promql.number(limit)}",
        for_seconds=FOR_DATA,
        severity="ticket",
        category="data",
        summary=f"{model.name}: feature {FEATURE} outside its training range",
        head=f"Over the last {base}, ",
        value_format="percent",
        tail=(
            f" of the values of feature {FEATURE} fell outside the training range; "
            f"the spec allows at most {humanize.percent(limit)}."
        ),
    )


def unseen(model: Model) -> Alert:
    base = base_window(model)
    series = promql.recorded(contract.REC_FEATURE_UNSEEN_RATIO, base, model.name)
    limit = model.drift.unseen_max_rate
    return Alert(
        name=contract.ALERT_UNSEEN,
        expr=f"{series} > {promql.number(limit)}",
        for_seconds=FOR_DATA,
        severity="ticket",
        category="data",
        summary=f"{model.name}: feature {FEATURE} sees categories unknown in training",
        head=f"Over the last {base}, ",
        value_format="percent",
        tail=(
            f" of the values of feature {FEATURE} were categories never seen in training; "
            f"the spec allows at most {humanize.percent(limit)}."
        ),
    )


def data_alerts(model: Model) -> list[Alert]:
    if not model.features or not model.drift.windows:
        return []
    alerts = [drift(model, f, critical) for critical in (False, True) for f in model.features]
    alerts.append(nulls(model))
    if model.numeric_features:
        alerts.append(out_of_range(model))
    if model.categorical_features:
        alerts.append(unseen(model))
    return alerts
