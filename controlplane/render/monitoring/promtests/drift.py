"""Test scenarios for the data alerts: drift at three levels, one drifted
feature among steady ones, nulls, out-of-range values, unseen categories."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from controlplane import contract
from controlplane.model import Drift, Feature, Model
from controlplane.render.monitoring import promql
from controlplane.render.monitoring.promtests import psi
from controlplane.render.monitoring.promtests.scenario import Firing, Sample, Scenario, settle_time
from controlplane.render.monitoring.rec_drift import windows
from controlplane.render.monitoring.rulefile import ModelRules
from controlplane.render.monitoring.rules import Alert

CROSS, INSIDE = 1.2, 0.9
CHUNK = 25  # features per scenario
LEVELS = ("critical", "warning", "quiet")
Pick = Callable[[Feature], psi.Counts | None]


def feed(scenario: Scenario, model: str, feature: Feature, counts: psi.Counts, bins: int) -> None:
    """One feature's bin counters, its reference shares and its training null share."""
    labels = {contract.MODEL: model, contract.FEATURE: feature.name}
    ref = psi.reference(feature.kind, bins)
    for name, count in counts.items():
        scenario.counter(contract.FEATURE_VALUES_TOTAL, {**labels, contract.BIN: name}, count)
    for name, share in ref.items():
        scenario.gauge(contract.FEATURE_REFERENCE_RATIO, {**labels, contract.BIN: name}, share)
    scenario.gauge(contract.FEATURE_TRAINING_NULL_RATIO, labels, ref[contract.BIN_NULL])


def level_counts(model: Model, feature: Feature, *, level: str) -> psi.Counts | None:
    """Counts past critical, between warning and critical, or just inside warning."""
    warn, critical = feature.psi.warn, feature.psi.critical
    if level == "critical":
        return psi.with_psi(feature.kind, model.drift.bins, critical * CROSS, above=True)
    if level == "warning":
        target = critical * INSIDE if critical * INSIDE > warn else (warn + critical) / 2
        return psi.with_psi(feature.kind, model.drift.bins, target, above=False)
    return psi.with_psi(feature.kind, model.drift.bins, warn * INSIDE, above=False)


def chunks(features: tuple[Feature, ...]) -> list[tuple[Feature, ...]]:
    """Features in groups small enough for promtool's per-query sample limit (10,000)."""
    return [features[i : i + CHUNK] for i in range(0, len(features), CHUNK)]


def drift_scenario(
    rules: ModelRules,
    name: str,
    pick: Pick,
    features: tuple[Feature, ...],
    decoy: bool = False,
) -> Scenario:
    """Features fed the counts `pick` gives them; PSI and drift alerts predicted from them."""
    model = rules.model
    names = (contract.ALERT_DRIFT_CRITICAL, contract.ALERT_DRIFT_WARNING)
    alerts = {
        (a.name, dict(a.extra_labels)[contract.FEATURE]): a for a in rules.alerts if a.name in names
    }
    scenario = Scenario(name, names, settle_time(list(alerts.values())))
    psi_samples: dict[str, list[Sample]] = {w: [] for w in windows(model)}
    for feature in features:
        counts = pick(feature) or psi.as_counts(psi.reference(feature.kind, model.drift.bins))
        feed(scenario, model.name, feature, counts, model.drift.bins)
        if decoy:  # another model's drifted series must not raise this model's alerts
            drifted = level_counts(model, feature, level="critical") or counts
            feed(scenario, f"{model.name}-decoy", feature, drifted, model.drift.bins)
        value = psi.psi(counts, psi.reference(feature.kind, model.drift.bins))
        for window in windows(model):
            labels = {
                contract.MODEL: model.name,
                contract.FEATURE: feature.name,
                contract.WINDOW: window,
            }
            psi_samples[window].append(Sample("", labels, psi.rounded(value)))
            for alertname, threshold in zip(
                names, (feature.psi.critical, feature.psi.warn), strict=True
            ):
                if value >= threshold:
                    scenario.firing.append(Firing(alerts[alertname, feature.name], labels, value))
    for window, samples in psi_samples.items():
        selector = promql.recorded(contract.REC_FEATURE_PSI, window, model.name)
        scenario.exprs.append((f"round({selector}, {promql.number(psi.PRECISION)})", samples))
    return scenario


def drift(rules: ModelRules) -> list[Scenario]:
    model = rules.model
    scenarios = [
        drift_scenario(
            rules,
            f"features {group[0].name}..{group[-1].name} at PSI level {level}",
            partial(level_counts, model, level=level),
            group,
        )
        for level in LEVELS
        for group in chunks(model.features)
    ]
    target = model.features[0]
    scenarios.append(
        drift_scenario(
            rules,
            f"only feature {target.name} drifts past critical",
            lambda f: level_counts(model, f, level="critical") if f is target else None,
            chunks(model.features)[0],
            decoy=True,
        )
    )
    return scenarios


Input = tuple[psi.Counts, float | None, int | None]  # counts, expected value, out-of-range


def nulls(feature: Feature, drift: Drift, factor: float) -> Input:
    ref = psi.reference(feature.kind, drift.bins)
    training = ref[contract.BIN_NULL]
    counts = psi.with_share(
        ref, contract.BIN_NULL, training * drift.null_max_ratio_to_training * factor
    )
    return counts, counts[contract.BIN_NULL] / sum(counts.values()) / training, None


def out_of_range(feature: Feature, drift: Drift, factor: float) -> Input:
    counts = psi.as_counts(psi.reference(feature.kind, drift.bins))
    if feature.kind != "numeric":
        return counts, None, None
    seen = sum(counts.values()) - counts[contract.BIN_NULL]
    outside = round(seen * drift.out_of_range_max_rate * factor)
    return counts, outside / seen, outside


def unseen(feature: Feature, drift: Drift, factor: float) -> Input:
    ref = psi.reference(feature.kind, drift.bins)
    if feature.kind != "categorical":
        return psi.as_counts(ref), None, None
    counts = psi.with_share(ref, contract.BIN_UNSEEN, drift.unseen_max_rate * factor)
    return counts, counts[contract.BIN_UNSEEN] / sum(counts.values()), None


RATE_INPUTS: dict[
    str, tuple[Callable[[Feature, Drift, float], Input], Callable[[Drift], float]]
] = {
    contract.ALERT_NULL_RATE: (nulls, lambda d: d.null_max_ratio_to_training),
    contract.ALERT_OUT_OF_RANGE: (out_of_range, lambda d: d.out_of_range_max_rate),
    contract.ALERT_UNSEEN: (unseen, lambda d: d.unseen_max_rate),
}


def rate_scenario(
    rules: ModelRules, alert: Alert, case: str, factor: float, features: tuple[Feature, ...]
) -> Scenario:
    """Null, out-of-range or unseen share at `factor` times the spec's limit, on each feature."""
    model = rules.model
    make_input, limit = RATE_INPUTS[alert.name]
    name = f"{alert.name}: {case} ({features[0].name}..{features[-1].name})"
    scenario = Scenario(name, (alert.name,), settle_time([alert]))
    for feature in features:
        counts, value, outside = make_input(feature, model.drift, factor)
        labels = {contract.MODEL: model.name, contract.FEATURE: feature.name}
        feed(scenario, model.name, feature, counts, model.drift.bins)
        if outside is not None:
            scenario.counter(contract.FEATURE_OUT_OF_RANGE_TOTAL, labels, outside)
        if value is not None and value > limit(model.drift):
            scenario.firing.append(Firing(alert, labels, value))
    return scenario


def rates(rules: ModelRules) -> list[Scenario]:
    return [
        rate_scenario(rules, alert, case, factor, group)
        for alert in rules.alerts
        if alert.name in RATE_INPUTS
        for case, factor in (("past the limit", CROSS), ("just inside the limit", INSIDE))
        for group in chunks(rules.model.features)
    ]


def drift_scenarios(rules: ModelRules) -> list[Scenario]:
    if not rules.model.features or not rules.model.drift.windows:
        return []
    return [*drift(rules), *rates(rules)]
