"""Test scenarios for the system alerts: latency, errors, volume, exporter."""

from __future__ import annotations

from controlplane import contract
from controlplane.domain import LATENCY_QUANTILES
from controlplane.render.monitoring import promql
from controlplane.render.monitoring.alerts_system import absent_window
from controlplane.render.monitoring.promtests import histogram
from controlplane.render.monitoring.promtests.scenario import (
    EVALUATION_INTERVAL,
    Firing,
    Scenario,
)
from controlplane.render.monitoring.rulefile import ModelRules
from controlplane.render.monitoring.rules import Alert
from controlplane.units import HOUR, MINUTE

REQUESTS = 100_000  # per interval
CROSS, INSIDE = 1.2, 0.9  # how far past, and how far inside, a threshold the inputs sit


def quantile_of(name: str) -> float:
    """The quantile a percentile's name says, read from the name (p99 is 0.99), so the
    expectation does not come from the table the recording rules read."""
    return int(name.removeprefix("p")) / 100


def latency(rules: ModelRules) -> list[Scenario]:
    """For each latency SLA, a histogram just past it and one just inside it."""
    model = rules.model
    slas = {q: getattr(model.sla.latency, q) for q in LATENCY_QUANTILES}
    slas = {q: sla for q, sla in slas.items() if sla is not None}
    alerts = {
        q: rules.alerts_named(contract.ALERT_LATENCY.format(quantile=q.upper()))[0] for q in slas
    }
    scenarios = []
    for target, sla in slas.items():
        for case, factor in (("crosses", CROSS), ("stays inside", INSIDE)):
            buckets = histogram.placing(quantile_of(target), sla * factor)
            if buckets is None:
                continue
            scenario = Scenario(f"{target} latency {case} its SLA", tuple(alerts.values()))
            for bound, count in buckets:
                labels = {
                    contract.MODEL: model.name,
                    contract.VARIANT: contract.VARIANT_STABLE,
                    "le": histogram.le_label(bound),
                }
                scenario.counter(f"{contract.PREDICTION_LATENCY_SECONDS}_bucket", labels, count)
            for q, alert in alerts.items():
                value = histogram.quantile(quantile_of(q), buckets)
                if value > slas[q]:
                    scenario.firing.append(Firing(alert, {contract.MODEL: model.name}, value))
            scenarios.append(scenario)
    return scenarios


def spec_error_budget(rules: ModelRules) -> float | None:
    """The error budget as the spec states it: 1 - availability, else the error-rate SLA."""
    sla = rules.model.sla
    if sla.availability is not None:
        return round(1 - sla.availability, 10)
    return sla.error_rate


def error_ratios(rules: ModelRules) -> list[float]:
    """Error ratios just past and just inside every error threshold of the model."""
    model = rules.model
    budget = spec_error_budget(rules)
    bars = [factor * budget for _, _, factor, _ in contract.BURN_RATE_WINDOWS] if budget else []
    if model.sla.error_rate is not None:
        bars.append(model.sla.error_rate)
    ratios = {round(bar * f * REQUESTS) / REQUESTS for bar in bars for f in (CROSS, INSIDE)}
    return sorted(r for r in ratios if 0 < r < 1)


def error_bar(alert: Alert, rules: ModelRules, budget: float) -> float:
    """The error ratio an alert fires above: its burn factor times the budget, or the SLA."""
    long_window = dict(alert.extra_labels).get(contract.LONG_WINDOW)
    if long_window is None:
        return rules.model.sla.error_rate or 0.0
    factors = {long: factor for long, _, factor, _ in contract.BURN_RATE_WINDOWS}
    return factors[long_window] * budget


def burn_labels(alert: Alert) -> dict[str, str]:
    """The windows a burn-rate alert names, as the SRE workbook's table pairs them."""
    windows = dict(alert.extra_labels)
    if contract.LONG_WINDOW not in windows:
        return {}
    long = windows[contract.LONG_WINDOW]
    (short,) = [s for lw, s, _, _ in contract.BURN_RATE_WINDOWS if lw == long]
    return {contract.LONG_WINDOW: long, contract.SHORT_WINDOW: short}


def errors(rules: ModelRules) -> list[Scenario]:
    names = (contract.ALERT_ERROR_BUDGET_BURN, contract.ALERT_ERROR_RATE)
    alerts = [a for a in rules.alerts if a.name in names]
    if not alerts:
        return []
    model = rules.model
    budget = spec_error_budget(rules) or 0.0
    scenarios = []
    for ratio in error_ratios(rules):
        scenario = Scenario(f"error ratio {promql.number(ratio)}", tuple(alerts))
        labels = {contract.MODEL: model.name, contract.VARIANT: contract.VARIANT_STABLE}
        scenario.counter(contract.PREDICTIONS_TOTAL, labels, REQUESTS)
        scenario.counter(contract.PREDICTION_ERRORS_TOTAL, labels, round(ratio * REQUESTS))
        for alert in alerts:
            if ratio > error_bar(alert, rules, budget):
                series = {contract.MODEL: model.name, **burn_labels(alert)}
                scenario.firing.append(Firing(alert, series, ratio))
        scenarios.append(scenario)
    return scenarios


VOLUME_CROSS = 1.25  # past the drop limit; 1.2 would cross exactly on an evaluation


def hourly_ratios(kept: float, interval: float) -> list[float]:
    """The hour-against-hour ratio at each evaluation after traffic changes to `kept`
    of its level: with samples on the evaluation grid, rate() over the hour is
    exactly the mean slope, so a fraction f of the hour at the new level reads
    (1 - f) + kept * f."""
    steps = int(HOUR // interval)
    return [(1 - k / steps) + kept * k / steps for k in range(steps + 1)]


def volume(rules: ModelRules) -> list[Scenario]:
    """Traffic steady for one `compare_to` period and an hour, then at a new level.

    The hour before the change keeps the rate from `compare_to` earlier exact,
    so the evaluation where the ratio crosses the limit is known here.
    """
    (alert,) = rules.alerts_named(contract.ALERT_VOLUME_DROP)
    model = rules.model
    period = model.drift.volume_compare_to
    drop = model.drift.volume_max_drop
    interval = EVALUATION_INTERVAL  # a week of samples: coarser steps keep the test quick
    change = period + HOUR
    scenarios = []
    for case, kept in (("drops", 1 - min(drop * VOLUME_CROSS, 1.0)), ("dips", 1 - drop * INSIDE)):
        after = round(REQUESTS * kept)
        ratios = hourly_ratios(after / REQUESTS, interval)
        below = [k for k, ratio in enumerate(ratios) if ratio < 1 - drop]
        # A ratio within rounding of the limit could go either way: allow a step.
        close = any(abs(ratio - (1 - drop)) < 1e-9 for ratio in ratios)
        scenario = Scenario(
            f"{alert.name}: traffic {case}",
            (alert,),
            crossed_at=change + (below[0] if below else len(ratios)) * interval,
            interval=interval,
            margin=interval if close else 0.0,
        )
        steady = int(change // interval)
        scenario.series.append(
            (
                promql.selector(contract.PREDICTIONS_TOTAL, {contract.MODEL: model.name}),
                f"0+{REQUESTS}x{steady} "
                f"{REQUESTS * steady + after}+{after}x{scenario.steps - steady - 2}",
            )
        )
        if below:
            scenario.firing.append(Firing(alert, {contract.MODEL: model.name}, ratios[-1]))
        scenarios.append(scenario)
    return scenarios


def monitor_absent(rules: ModelRules) -> list[Scenario]:
    """The exporter reports for an hour, then stops (fires) or keeps going (silent)."""
    (alert,) = rules.alerts_named(contract.ALERT_MONITOR_ABSENT)
    model = rules.model
    quiet = absent_window(model) or 5 * MINUTE  # batch window, or the instant-query lookback
    labels = {contract.MODEL: model.name, contract.VARIANT: contract.VARIANT_STABLE}
    # The last sample leaves the window `quiet` after it, give or take one evaluation.
    gone = HOUR + quiet
    stops = Scenario(
        f"{alert.name}: the exporter stops", (alert,), gone, margin=EVALUATION_INTERVAL
    )
    reporting = int(HOUR // stops.interval)
    stops.series.append(
        (
            promql.selector(contract.PREDICTIONS_TOTAL, labels),
            f"0+{REQUESTS}x{reporting} _x{stops.steps - reporting - 1}",
        )
    )
    stops.firing.append(Firing(alert, {contract.MODEL: model.name}, None))
    keeps = Scenario(f"{alert.name}: the exporter keeps reporting", (alert,), gone)
    keeps.counter(contract.PREDICTIONS_TOTAL, labels, REQUESTS)
    return [stops, keeps]


def system_scenarios(rules: ModelRules) -> list[Scenario]:
    return [*latency(rules), *errors(rules), *volume(rules), *monitor_absent(rules)]
