"""Test scenarios for the data alerts: drifted features beside steady ones at
three PSI levels, and the null, out-of-range and unseen shares past
and just inside their limits (the null floor both ways).

Which alerts fire is decided here by the data-health table
(`controlplane.signals`) from figures computed in Python from the very counts
the test feeds Prometheus.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from controlplane import contract, signals
from controlplane.model import Feature, Model
from controlplane.render.monitoring import promql
from controlplane.render.monitoring.promtests import psi
from controlplane.render.monitoring.promtests.scenario import Firing, Sample, Scenario
from controlplane.render.monitoring.rec_drift import windows
from controlplane.render.monitoring.rulefile import ModelRules
from controlplane.render.monitoring.rules import WORST_WINDOW, Alert

CROSS, INSIDE = 1.2, 0.9
CHUNK = 25  # features per scenario
LEVELS = ("critical", "warning", "quiet")
Pick = Callable[[Feature], psi.Counts | None]
Figures = dict[str, float | None]


def feed_counts(scenario: Scenario, model: str, feature: Feature, counts: psi.Counts) -> None:
    """One feature's bin counters."""
    labels = {contract.MODEL: model, contract.FEATURE: feature.name}
    for name, count in counts.items():
        scenario.counter(contract.FEATURE_VALUES_TOTAL, {**labels, contract.BIN: name}, count)


def feed(scenario: Scenario, model: str, feature: Feature, counts: psi.Counts, bins: int) -> None:
    """One feature's bin counters and its reference shares: what its PSI reads.

    Its training null share is left out: only the share alerts read it, and
    the groups that check those feed it themselves.
    """
    feed_counts(scenario, model, feature, counts)
    labels = {contract.MODEL: model, contract.FEATURE: feature.name}
    for name, share in psi.reference(feature.kind, bins).items():
        scenario.gauge(contract.FEATURE_REFERENCE_RATIO, {**labels, contract.BIN: name}, share)


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


def drift_alerts(rules: ModelRules) -> dict[tuple[str, str], Alert]:
    names = (contract.ALERT_DRIFT_CRITICAL, contract.ALERT_DRIFT_WARNING)
    return {
        (a.name, dict(a.extra_labels)[contract.FEATURE]): a for a in rules.alerts if a.name in names
    }


def drift_scenario(
    rules: ModelRules,
    name: str,
    pick: Pick,
    features: tuple[Feature, ...],
    decoy: bool = False,
) -> Scenario:
    """Features fed the counts `pick` gives them; PSI and drift alerts predicted from them.

    The counts are the same over every window, so every window has the same PSI
    and the alert names the longest (the most evidence) as the worst.
    """
    model = rules.model
    alerts = drift_alerts(rules)
    scenario = Scenario(name, tuple(alerts.values()))
    psi_samples: dict[str, list[Sample]] = {w: [] for w in windows(model)}
    longest = windows(model)[-1]
    for feature in features:
        counts = pick(feature) or psi.as_counts(psi.reference(feature.kind, model.drift.bins))
        feed(scenario, model.name, feature, counts, model.drift.bins)
        if decoy:  # another model's drifted series must not raise this model's alerts
            # Its counters alone: against no reference shares (epsilon) its PSI is
            # still far past critical, and a reference only ever joins its own model.
            drifted = level_counts(model, feature, level="critical") or counts
            feed_counts(scenario, f"{model.name}-decoy", feature, drifted)
        value = psi.psi(counts, psi.reference(feature.kind, model.drift.bins))
        labels = {contract.MODEL: model.name, contract.FEATURE: feature.name}
        for window in windows(model):
            sample = Sample("", {**labels, contract.WINDOW: window}, psi.rounded(value))
            psi_samples[window].append(sample)
        # Expected from the spec's thresholds as a person reads them ("at or above"),
        # not from the signal table the rules are built from.
        for alertname, threshold in (
            (contract.ALERT_DRIFT_CRITICAL, feature.psi.critical),
            (contract.ALERT_DRIFT_WARNING, feature.psi.warn),
        ):
            if value >= threshold:
                alert = alerts[alertname, feature.name]
                scenario.firing.append(Firing(alert, labels, value, {WORST_WINDOW: longest}))
    for window, samples in psi_samples.items():
        selector = promql.recorded(contract.REC_FEATURE_PSI, window, model.name)
        scenario.exprs.append((f"round({selector}, {promql.number(psi.PRECISION)})", samples))
    return scenario


def level_of(index: int, rotation: int) -> str:
    return LEVELS[(index + rotation) % len(LEVELS)]


def drift(rules: ModelRules) -> list[Scenario]:
    """Three groups where the features sit at mixed PSI levels, each feature at a
    different level in each: every feature is shown critical, warning and quiet,
    and every group shows drifted features beside steady ones. The first group
    also feeds a decoy model whose features all drift past critical."""
    model = rules.model
    scenarios = []
    for rotation in range(len(LEVELS)):
        for group in chunks(model.features):
            offset = model.features.index(group[0])
            levels = {f.name: level_of(offset + i, rotation) for i, f in enumerate(group)}
            critical = [name for name, level in levels.items() if level == "critical"]
            name = (
                f"mixed PSI levels {rotation + 1} of {len(LEVELS)} "
                f"({group[0].name}..{group[-1].name}; critical: {', '.join(critical) or 'none'})"
            )
            pick = partial(_at_level, model, levels)
            scenarios.append(drift_scenario(rules, name, pick, group, decoy=rotation == 0))
    return scenarios


def _at_level(model: Model, levels: dict[str, str], feature: Feature) -> psi.Counts | None:
    return level_counts(model, feature, level=levels[feature.name])


def figures(counts: psi.Counts, training_null: float, outside: int | None) -> Figures:
    """The figures the data-health signals judge, from one interval's counts."""
    total = sum(counts.values())
    nulls = counts[contract.BIN_NULL]
    null_rate = signals.share("null_rate", nulls, total, nulls) or 0.0
    unseen = counts.get(contract.BIN_UNSEEN)
    return {
        "null_rate": null_rate,
        "null_ratio_to_training": null_rate / max(training_null, contract.PSI_EPSILON),
        "out_of_range_rate": None
        if outside is None
        else signals.share("out_of_range_rate", outside, total, nulls),
        "unseen_rate": None
        if unseen is None
        else signals.share("unseen_rate", unseen, total, nulls),
    }


def rate_alerts(rules: ModelRules) -> list[Alert]:
    """The alerts of the signals judged over all features at once (shares, not PSI)."""
    names = {s.alert for s in signals.SIGNALS if not s.per_feature}
    return [a for a in rules.alerts if a.name in names]


def shown(alert: Alert) -> signals.Figure:
    """The figure an alert shows as its value: its signal's first."""
    return signals.signal_of_alert(alert.name).conditions[0].figure


def shares_at(model: Model, feature: Feature, factor: float) -> tuple[psi.Counts, int | None]:
    """Null share at `factor` times its ratio limit, and the unseen (categorical) or
    out-of-range (numeric) share at `factor` times theirs: each figure on one side."""
    drift = model.drift
    ref = psi.reference(feature.kind, drift.bins)
    null_share = ref[contract.BIN_NULL] * drift.null_max_ratio_to_training * factor
    null_share = max(null_share, drift.null_min_rate * factor)
    if feature.kind == "categorical":
        unseen_share = drift.unseen_max_rate * factor
        rest = {n: e for n, e in ref.items() if n not in (contract.BIN_NULL, contract.BIN_UNSEEN)}
        scale = (1 - null_share - unseen_share) / sum(rest.values())
        shares = {
            **{n: e * scale for n, e in rest.items()},
            contract.BIN_UNSEEN: unseen_share,
            contract.BIN_NULL: null_share,
        }
        return psi.as_counts(shares), None
    counts = psi.with_share(ref, contract.BIN_NULL, null_share)
    seen = sum(counts.values()) - counts[contract.BIN_NULL]
    return counts, round(seen * drift.out_of_range_max_rate * factor)


def without_training_nulls(model: Model, feature: Feature, factor: float) -> psi.Counts:
    """A feature with no nulls in training: a null share at `factor` times the floor."""
    ref = psi.reference(feature.kind, model.drift.bins)
    return psi.with_share(ref, contract.BIN_NULL, model.drift.null_min_rate * factor)


def lumped(counts: psi.Counts) -> psi.Counts:
    """The same counts with the seen bins folded into two (the first and the last).

    The null, out-of-range and unseen shares read only the null and unseen bins
    and the total over all bins; two seen bins still make the rules sum over
    bins. The drift groups feed every bin, for PSI.
    """
    special = (contract.BIN_NULL, contract.BIN_UNSEEN)
    seen = [name for name in counts if name not in special]
    if len(seen) <= 2:
        return dict(counts)
    first, last = seen[0], seen[-1]
    kept = {first: counts[first], last: sum(counts[name] for name in seen[1:])}
    return {**kept, **{name: counts[name] for name in special if name in counts}}


# Which feature kinds each share alert watches, as the spec's sections say: out-of-range
# is about numeric values, unseen about categories, nulls about both.
WATCHES = {
    contract.ALERT_NULL_RATE: ("numeric", "categorical"),
    contract.ALERT_OUT_OF_RANGE: ("numeric",),
    contract.ALERT_UNSEEN: ("categorical",),
}


def rate_scenario(
    rules: ModelRules,
    case: str,
    features: tuple[Feature, ...],
    make: Callable[[Feature], tuple[psi.Counts, int | None, float]],
    fires: tuple[str, ...],
) -> Scenario:
    """Each feature fed the counts `make` gives (counts, out-of-range, training null share),
    placed so that the alerts named in `fires` fire for the kinds they watch, and no other."""
    model = rules.model
    alerts = rate_alerts(rules)
    name = f"data shares {case} ({features[0].name}..{features[-1].name})"
    scenario = Scenario(name, tuple(alerts))
    for feature in features:
        counts, outside, training_null = make(feature)
        counts = lumped(counts)
        labels = {contract.MODEL: model.name, contract.FEATURE: feature.name}
        for bin_name, count in counts.items():
            bin_labels = {**labels, contract.BIN: bin_name}
            scenario.counter(contract.FEATURE_VALUES_TOTAL, bin_labels, count)
        # The shares judged here need no reference shares (those only feed PSI).
        scenario.gauge(contract.FEATURE_TRAINING_NULL_RATIO, labels, training_null)
        if outside is not None:
            scenario.counter(contract.FEATURE_OUT_OF_RANGE_TOTAL, labels, outside)
        values = figures(counts, training_null, outside)
        for alert in alerts:
            if alert.name in fires and feature.kind in WATCHES[alert.name]:
                scenario.firing.append(Firing(alert, labels, values[shown(alert)]))
    return scenario


def rates(rules: ModelRules) -> list[Scenario]:
    if not rate_alerts(rules):
        return []
    model = rules.model

    def trained(factor: float) -> Callable[[Feature], tuple[psi.Counts, int | None, float]]:
        def make(feature: Feature) -> tuple[psi.Counts, int | None, float]:
            counts, outside = shares_at(model, feature, factor)
            return counts, outside, psi.NULL_SHARE

        return make

    def untrained(factor: float) -> Callable[[Feature], tuple[psi.Counts, int | None, float]]:
        def make(feature: Feature) -> tuple[psi.Counts, int | None, float]:
            return without_training_nulls(model, feature, factor), None, 0.0

        return make

    cases = (
        ("past their limits", trained(CROSS), tuple(WATCHES)),
        ("just inside their limits", trained(INSIDE), ()),
        (
            "no nulls in training, null share past the floor",
            untrained(CROSS),
            (contract.ALERT_NULL_RATE,),
        ),
        ("no nulls in training, null share under the floor", untrained(INSIDE), ()),
    )
    return [
        rate_scenario(rules, case, group, make, fires)
        for case, make, fires in cases
        for group in chunks(model.features)
    ]


def drift_scenarios(rules: ModelRules) -> list[Scenario]:
    if not rules.model.features or not rules.model.drift.windows:
        return []
    return [*drift(rules), *rates(rules)]
