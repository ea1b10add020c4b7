"""Alerts on data health: feature drift (PSI), nulls, out-of-range values and
unseen categories, each the online form of one signal of `controlplane.signals`.

A signal's expression is its conditions over the recorded series of their
figures, joined with `and`: the comparison and the threshold are the table's.
"""

from __future__ import annotations

from controlplane import contract, signals
from controlplane.alerts import declared
from controlplane.model import Feature, Model
from controlplane.render.monitoring import humanize, promql
from controlplane.render.monitoring.rec_drift import base_window
from controlplane.render.monitoring.rules import WORST_WINDOW, Alert, label_ref
from controlplane.signals import DataSignal

FEATURE = label_ref(contract.FEATURE)
WORST = label_ref(WORST_WINDOW)
BY_FEATURE = f"on ({contract.MODEL}, {contract.FEATURE})"


def figure_series(model: Model, figure: signals.Figure, feature: Feature | None) -> str:
    """The recorded series of a figure, for one feature or all of the model's."""
    matchers = {contract.FEATURE: feature.name} if feature is not None else {}
    if figure == "psi":
        worst = promql.recorded(contract.REC_FEATURE_PSI, contract.WORST, model.name, **matchers)
        # One series per model and feature, whichever window is worst.
        return f"max without ({contract.WINDOW}) ({worst})"
    metric = {
        "null_ratio_to_training": contract.REC_FEATURE_NULL_VS_TRAINING,
        "null_rate": contract.REC_FEATURE_NULL_RATIO,
        "out_of_range_rate": contract.REC_FEATURE_OUT_OF_RANGE_RATIO,
        "unseen_rate": contract.REC_FEATURE_UNSEEN_RATIO,
    }[figure]
    return promql.recorded(metric, base_window(model), model.name, **matchers)


def signal_expr(model: Model, signal: DataSignal, feature: Feature) -> str:
    """Every condition of the signal; the alert's value is the first condition's figure."""
    scope = feature if signal.per_feature else None
    parts = [
        f"{figure_series(model, c.figure, scope)} {c.comparison} "
        f"{promql.number(c.threshold(model, feature))}"
        for c in signal.conditions
    ]
    return f"\nand {BY_FEATURE}\n".join(parts)


def drift(model: Model, feature: Feature, critical: bool) -> Alert:
    """One rule per feature and level, since a feature may override the thresholds;
    one alert per feature, over its worst drift window."""
    signal = signals.signal("psi_critical" if critical else "psi_warning")
    threshold = feature.psi.critical if critical else feature.psi.warn
    level = "critical" if critical else "warning"
    return Alert(
        declaration=declared(signal.alert),
        expr=signal_expr(model, signal, feature),
        summary=f"{model.name}: feature {feature.name} drifted ({level})",
        head=f"PSI of feature {feature.name} is worst over the last {WORST}: ",
        value_format="psi",
        tail=f", at or above the {level} threshold {promql.number(threshold)}.",
        extra_labels=((contract.FEATURE, feature.name),),
    )


def nulls(model: Model, feature: Feature) -> Alert:
    signal = signals.signal("null_rate")
    base = base_window(model)
    ratio = promql.number(model.drift.null_max_ratio_to_training)
    floor = humanize.percent(model.drift.null_min_rate)
    return Alert(
        declaration=declared(signal.alert),
        expr=signal_expr(model, signal, feature),
        summary=f"{model.name}: feature {FEATURE} has more nulls than in training",
        head=f"The null share of feature {FEATURE} over the last {base} is ",
        value_format="number",
        tail=(
            f" times its share in training, and above {floor}; the spec allows at most "
            f"{ratio} times, or any share up to {floor}."
        ),
    )


def out_of_range(model: Model, feature: Feature) -> Alert:
    signal = signals.signal("out_of_range")
    base = base_window(model)
    return Alert(
        declaration=declared(signal.alert),
        expr=signal_expr(model, signal, feature),
        summary=f"{model.name}: feature {FEATURE} outside its training range",
        head=f"Over the last {base}, ",
        value_format="percent",
        tail=(
            f" of the values of feature {FEATURE} fell outside the training range; "
            f"the spec allows at most {humanize.percent(model.drift.out_of_range_max_rate)}."
        ),
    )


def unseen(model: Model, feature: Feature) -> Alert:
    signal = signals.signal("unseen_categories")
    base = base_window(model)
    return Alert(
        declaration=declared(signal.alert),
        expr=signal_expr(model, signal, feature),
        summary=f"{model.name}: feature {FEATURE} sees categories unknown in training",
        head=f"Over the last {base}, ",
        value_format="percent",
        tail=(
            f" of the values of feature {FEATURE} were categories never seen in training; "
            f"the spec allows at most {humanize.percent(model.drift.unseen_max_rate)}."
        ),
    )


def data_alerts(model: Model) -> list[Alert]:
    if not model.features or not model.drift.windows:
        return []
    alerts = [drift(model, f, critical) for critical in (False, True) for f in model.features]
    alerts.append(nulls(model, model.features[0]))
    if model.numeric_features:
        alerts.append(out_of_range(model, model.numeric_features[0]))
    if model.categorical_features:
        alerts.append(unseen(model, model.categorical_features[0]))
    return alerts
