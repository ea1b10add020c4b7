"""Alerts on data health: feature drift (PSI), nulls, out-of-range values and
unseen categories, each the online form of one signal of `controlplane.signals`.

Everything here is generic: a signal's expression is its conditions over the
recorded series of their figures, joined with `and` (the comparison and the
threshold are the table's), and its text is its declaration's. Adding a
data-health alert is a row in the signal table and a declaration.
"""

from __future__ import annotations

from controlplane import contract, signals
from controlplane.alerts import declared
from controlplane.model import Feature, Model
from controlplane.render.monitoring import humanize, promql
from controlplane.render.monitoring.humanize import ValueFormat
from controlplane.render.monitoring.rec_drift import base_window
from controlplane.render.monitoring.rules import WORST_WINDOW, Alert, label_ref
from controlplane.signals import DataSignal, Figure

BY_FEATURE = f"on ({contract.MODEL}, {contract.FEATURE})"
VALUE = "<value>"

# How a figure of each unit of the signal table prints: as the alert's value, and
# as a threshold in its text.
UNIT_FORMATS: dict[signals.Unit, ValueFormat] = {
    "psi": "psi",
    "times": "number",
    "percent": "percent",
}


def value_format(figure: Figure) -> ValueFormat:
    return UNIT_FORMATS[signals.FIGURES[figure].unit]


LEVELS = {"psi_critical": "critical", "psi_warning": "warning"}


def figure_series(model: Model, figure: Figure, feature: Feature | None) -> str:
    """The recorded series of a figure, for one feature or all of the model's."""
    matchers = {contract.FEATURE: feature.name} if feature is not None else {}
    series = signals.FIGURES[figure].series
    if figure == "psi":
        worst = promql.recorded(series, contract.WORST, model.name, **matchers)
        # One series per model and feature, whichever window is worst.
        return f"max without ({contract.WINDOW}) ({worst})"
    return promql.recorded(series, base_window(model), model.name, **matchers)


def signal_expr(model: Model, signal: DataSignal, feature: Feature) -> str:
    """Every condition of the signal; the alert's value is the first condition's figure."""
    scope = feature if signal.per_feature else None
    parts = [
        f"{figure_series(model, c.figure, scope)} {c.comparison} "
        f"{promql.number(c.threshold(model, feature))}"
        for c in signal.conditions
    ]
    return f"\nand {BY_FEATURE}\n".join(parts)


def limit_text(figure: Figure, value: float) -> str:
    return humanize.percent(value) if value_format(figure) == "percent" else promql.number(value)


def fill(template: str, model: Model, signal: DataSignal, feature: Feature) -> str:
    """A declaration's text for this model: names, windows and thresholds filled in.

    A rule over all the model's features names the feature by its label."""
    name = feature.name if signal.per_feature else label_ref(contract.FEATURE)
    values = {
        "model": model.name,
        "feature": name,
        "window": base_window(model),
        "worst_window": label_ref(WORST_WINDOW),
        "level": LEVELS.get(signal.name, ""),
    }
    for index, condition in enumerate(signal.conditions):
        limit = condition.threshold(model, feature)
        values[f"limit{index}"] = limit_text(condition.figure, limit)
    for key, value in values.items():
        template = template.replace(f"<{key}>", value)
    return template


def signal_alert(model: Model, signal: DataSignal, feature: Feature) -> Alert:
    declaration = declared(signal.alert, signal.severity)
    head, tail = fill(declaration.description, model, signal, feature).split(VALUE)
    return Alert(
        declaration=declaration,
        expr=signal_expr(model, signal, feature),
        summary=fill(declaration.summary, model, signal, feature),
        head=head,
        value_format=value_format(signal.conditions[0].figure),
        tail=tail,
        extra_labels=((contract.FEATURE, feature.name),) if signal.per_feature else (),
    )


def data_alerts(model: Model) -> list[Alert]:
    """Per-feature rules (thresholds a feature may override) for each feature; the
    others once for all features, when any feature is of the kind they judge."""
    if not model.features or not model.drift.windows:
        return []
    ordered = sorted(signals.SIGNALS, key=lambda s: not s.per_feature)
    alerts = []
    for signal in (s for s in ordered if s.per_feature):
        alerts += [signal_alert(model, signal, f) for f in model.features]
    for signal in (s for s in ordered if not s.per_feature):
        applicable = [f for f in model.features if signal.applies_to(f)]
        if applicable:
            alerts.append(signal_alert(model, signal, applicable[0]))
    return alerts
