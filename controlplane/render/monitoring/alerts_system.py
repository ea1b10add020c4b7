"""Alerts on system health: latency and error SLAs, error-budget burn, traffic
volume, and the exporter itself going quiet."""

from __future__ import annotations

from controlplane import contract
from controlplane.alerts import declared
from controlplane.domain import LATENCY_QUANTILES
from controlplane.model import Model
from controlplane.render.monitoring import humanize, promql
from controlplane.render.monitoring.rec_system import (
    SLA_WINDOW,
    VOLUME_WINDOW,
    burn_windows,
    error_budget,
)
from controlplane.render.monitoring.rules import Alert
from controlplane.units import DAY, HOUR


def latency(model: Model) -> list[Alert]:
    alerts = []
    for quantile in LATENCY_QUANTILES:
        threshold = getattr(model.sla.latency, quantile)
        if threshold is None:
            continue
        series = promql.recorded(
            contract.REC_LATENCY.format(quantile=quantile), SLA_WINDOW, model.name
        )
        sla = humanize.duration(threshold)
        alerts.append(
            Alert(
                declaration=declared(contract.ALERT_LATENCY.format(quantile=quantile.upper())),
                expr=f"{series} > {promql.number(threshold)}",
                summary=f"{model.name}: {quantile} latency above its {sla} SLA",
                head=f"{quantile} latency over the last {SLA_WINDOW} is ",
                value_format="duration",
                tail=f", above the {sla} SLA.",
            )
        )
    return alerts


def error_budget_burn(model: Model) -> list[Alert]:
    budget = error_budget(model)
    alerts = []
    for long, short, factor, variant in burn_windows(model):
        assert budget is not None  # burn_windows is empty without a budget
        bar = f"{promql.number(factor)} * {promql.number(budget)}"
        ratio_long = promql.recorded(contract.REC_ERROR_RATIO, long, model.name)
        ratio_short = promql.recorded(contract.REC_ERROR_RATIO, short, model.name)
        alerts.append(
            Alert(
                declaration=declared(contract.ALERT_ERROR_BUDGET_BURN, variant=variant),
                expr=f"{ratio_long} > {bar}\nand\n{ratio_short} > {bar}",
                summary=f"{model.name}: error budget burning {promql.number(factor)}x too fast",
                head=f"Error ratio over the last {long} is ",
                value_format="percent",
                tail=(
                    f", and over the last {short} too, more than {promql.number(factor)}x the "
                    f"{humanize.percent(budget)} error budget: at this rate a 30-day budget "
                    f"lasts {30 / factor:.2g} days."
                ),
                extra_labels=((contract.LONG_WINDOW, long), (contract.SHORT_WINDOW, short)),
            )
        )
    return alerts


def error_rate(model: Model) -> list[Alert]:
    threshold = model.sla.error_rate
    if threshold is None:
        return []
    series = promql.recorded(contract.REC_ERROR_RATIO, SLA_WINDOW, model.name)
    sla = humanize.percent(threshold)
    return [
        Alert(
            declaration=declared(contract.ALERT_ERROR_RATE),
            expr=f"{series} > {promql.number(threshold)}",
            summary=f"{model.name}: error rate above its {sla} SLA",
            head=f"Error ratio over the last {SLA_WINDOW} is ",
            value_format="percent",
            tail=f", above the {sla} SLA.",
        )
    ]


def volume_drop(model: Model) -> list[Alert]:
    offset = promql.duration(model.drift.volume_compare_to)
    metric = contract.REC_VOLUME_RATIO.format(offset=offset)
    series = promql.recorded(metric, VOLUME_WINDOW, model.name)
    drop = model.drift.volume_max_drop
    return [
        Alert(
            declaration=declared(contract.ALERT_VOLUME_DROP),
            expr=f"{series} < 1 - {promql.number(drop)}",
            summary=f"{model.name}: traffic dropped more than {humanize.percent(drop)}",
            head=f"Requests over the last {VOLUME_WINDOW} are ",
            value_format="percent",
            tail=(
                f" of the same hour {offset} earlier; the spec allows a drop of at most "
                f"{humanize.percent(drop)}."
            ),
        )
    ]


def batch_gap(cron: str | None) -> float:
    """The longest a five-field cron can leave between two runs, roughly and from above."""
    if not cron:
        return DAY
    _minute, hour, day_of_month, month, day_of_week = cron.split()
    if month != "*":
        return 366 * DAY
    if day_of_month != "*":
        return 31 * DAY
    if day_of_week != "*":
        return 7 * DAY
    if hour != "*":
        return DAY
    return HOUR


def absent_window(model: Model) -> float | None:
    """How long a batch model may be quiet: its longest gap between runs, plus a quarter."""
    if model.serving.mode != "batch":
        return None
    gap = batch_gap(model.serving.cron)
    return gap + max(HOUR, gap / 4)


def monitor_absent(model: Model) -> list[Alert]:
    series = promql.of_model(contract.PREDICTIONS_TOTAL, model.name)
    window = absent_window(model)
    expr = f"absent({series})"
    declaration = declared(contract.ALERT_MONITOR_ABSENT)
    quiet = f"for {promql.duration(declaration.for_seconds)}"
    if window is not None:
        expr = f"absent_over_time({series}[{promql.duration(window)}])"
        quiet = f"in the last {promql.duration(window)}, longer than its schedule allows"
    return [
        Alert(
            declaration=declaration,
            expr=expr,
            summary=f"{model.name}: its metrics exporter is silent",
            head=f"No {contract.PREDICTIONS_TOTAL} series from {model.name} {quiet}",
            value_format=None,
            tail=": every other alert of this model is blind until it is back.",
        )
    ]


def system_alerts(model: Model) -> list[Alert]:
    return [
        *latency(model),
        *error_budget_burn(model),
        *error_rate(model),
        *volume_drop(model),
        *monitor_absent(model),
    ]
