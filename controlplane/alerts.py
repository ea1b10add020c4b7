"""Every alert mlcp generates, declared once.

A declaration says what a person needs to know about an alert: its layer,
severity, how long it must hold (`for`) and why, what it compares with which
threshold of the spec, the recorded series it reads, the dashboard panel that
shows it, what it inhibits, and what it means. The rules, the promtool
scenarios, the dashboards, the Alertmanager inhibitions, the README's alert
table and the runbooks read these declarations; nothing else spells them.

One alert name may have two declarations when its severity depends on which
instance fires (the error-budget burn: fast pairs page, slow pairs open a
ticket); `variant` tells them apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from controlplane import contract, signals
from controlplane.signals import Severity
from controlplane.units import HOUR, MINUTE

Category = Literal["system", "data", "quality", "monitor", "rollout"]
Comparison = Literal[">", ">=", "<", "outside", "absent"]
# Which spec values the runbook states as the alert's bar, and over which window
# (`controlplane.render.runbook.bars` has one function per kind).
BarKind = Literal[
    "latency", "burn", "error_rate", "volume", "absent", "data", "quality", "shadow"
]  # fmt: skip


@dataclass(frozen=True)
class Inhibition:
    """While the declaring alert fires, alerts matching `target` with equal `equal` labels
    are held back by Alertmanager."""

    target: tuple[tuple[str, str], ...]  # (label, value) matchers
    equal: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class AlertDeclaration:
    name: str
    category: Category  # the layer it watches: what inhibition and routing key on
    bar: BarKind  # what its runbook states as the bar it crossed
    severity: Severity
    for_seconds: float
    for_why: str
    comparison: Comparison
    threshold: str  # where in the spec the threshold is set
    series: str  # the recorded series it reads (`<window>` where the spec picks it)
    panel: str  # the dashboard panel that shows the series (its title, `<...>` filled in)
    fires_when: str  # one line for the README table
    meaning: str  # a paragraph for the runbook: what is wrong, for whom
    inhibits: tuple[Inhibition, ...] = ()
    variant: str = ""  # set when one alert name has several declarations
    # (series, comparison, threshold) of each part when the rule has several, all holding
    clauses: tuple[tuple[str, str, str], ...] = ()
    # Data-health alerts are rendered from these alone: `<feature>`, `<window>`,
    # `<worst_window>`, `<level>`, `<limit0>`, `<limit1>` (the signal's thresholds)
    # and, once in the description, `<value>`.
    summary: str = ""
    description: str = ""
    # The runbook's likely causes, when they are not those of the category (`CAUSES`).
    causes: tuple[str, ...] = ()

    @property
    def likely_causes(self) -> tuple[str, ...]:
        """What usually makes it fire, one Markdown line each, for its runbook section."""
        return self.causes or CAUSES[self.category]

    @property
    def condition(self) -> str:
        """The rule in one line: series, comparison, threshold."""
        if self.clauses:
            return " and ".join(f"`{s}` {c} `{t}`" for s, c, t in self.clauses)
        if self.comparison == "absent":
            return f"`{self.series}` absent"
        if self.comparison == "outside":
            return f"`{self.series}` outside `{self.threshold}`"
        return f"`{self.series}` {self.comparison} `{self.threshold}`"


# What usually makes an alert of each layer fire; `{state}` is the model's rollout state
# (as code) and `{instances}` its serving.instances_max.
SYSTEM_CAUSES = (
    "a code change: a new model version or candidate taking traffic (rollout state {state});",
    "an upstream dependency that is slow or failing (feature store, cache, database);",
    "saturation: traffic above what {instances} instances serve;",
    "bad input: requests the model cannot parse.",
)
CAUSES: dict[Category, tuple[str, ...]] = {
    "system": SYSTEM_CAUSES,
    "rollout": SYSTEM_CAUSES,
    "data": (
        "data drift: the population changed (a season, a campaign, a new market or product);",
        "an upstream schema change: a renamed, retyped or dropped column arrives as nulls or"
        " as new categories;",
        "an upstream delay: a feature pipeline running late serves stale or default values;",
        "a unit or encoding change in a producer (cents for euros, a new category spelling).",
    ),
    "quality": (
        "concept drift: the inputs look the same but the right answers changed;",
        "data drift in the features (see the [data alerts](#alerts) of this model);",
        "a code change: a new model version, a feature pipeline change, a bad deploy;",
        "the label pipeline: labels late, duplicated or joined to the wrong predictions"
        " (for a proxy, the counters it divides).",
    ),
    "monitor": (
        "the service or batch job is down, or stopped before it exported anything;",
        "the `/metrics` endpoint moved, or the serving code no longer starts the exporter;",
        "scraping broke: a network policy, a relabelling, a Prometheus target change.",
    ),
}


def _data(
    signal_name: str,
    for_seconds: float,
    for_why: str,
    series: tuple[str, ...],  # one per condition of the signal
    panel: str,
    fires_when: str,
    meaning: str,
    text: tuple[str, str],  # summary and description templates
    inhibits: tuple[Inhibition, ...] = (),
) -> AlertDeclaration:
    """A data-health alert: its comparison, threshold and severity are its signal's."""
    signal = signals.signal(signal_name)
    first = signal.conditions[0]
    threshold = " and ".join(c.source for c in signal.conditions)
    clauses = tuple(
        (s, c.comparison, c.source) for s, c in zip(series, signal.conditions, strict=True)
    )
    return AlertDeclaration(
        name=signal.alert,
        category="data",
        bar="data",
        severity=signal.severity,
        for_seconds=for_seconds,
        for_why=for_why,
        comparison=first.comparison,
        threshold=threshold,
        series=" and ".join(series),
        panel=panel,
        fires_when=fires_when,
        meaning=meaning,
        inhibits=inhibits,
        clauses=clauses if len(clauses) > 1 else (),
        summary=text[0],
        description=text[1],
    )


LATENCY_WHY_PAGE = (
    "A p99 above its SLA for ten minutes is a sustained breach of a promise to users, "
    "not one slow scrape."
)
LATENCY_WHY_TICKET = "Nobody is woken: a longer wait trades a little delay for fewer tickets."
DATA_WHY = (
    "The shares are computed over the shortest drift window (an hour or more), so they "
    "move slowly; half an hour rules out one odd batch of requests."
)
QUALITY_WHY_BROKEN = (
    "The metric already spans its whole window (hours); fifteen minutes more confirms, "
    "it does not delay."
)
QUALITY_WHY_LOW = "Its window is a day or more; an hour trades latency for fewer tickets."

PSI_TEXT = (
    "<model>: feature <feature> drifted (<level>)",
    "PSI of feature <feature> is worst over the last <worst_window>: <value>, at or above "
    "the <level> threshold <limit0>.",
)

BUDGET = "factor × error budget"


def _burn_windows(variant: str) -> str:
    """`over 1h and 5m exceeds 14.4× the error budget, or …`, from the contract's table."""
    return ", or ".join(
        f"over {long} and {short} {factor:g}× it"
        if i
        else f"over {long} and {short} exceeds {factor:g}× the error budget"
        for i, (long, short, factor, _) in enumerate(
            w for w in contract.BURN_RATE_WINDOWS if w[3] == variant
        )
    )


BURN_CLAUSES = (
    ("mlcp:error_ratio:<long>", ">", BUDGET),
    ("mlcp:error_ratio:<short>", ">", BUDGET),
)

DECLARATIONS: tuple[AlertDeclaration, ...] = (
    AlertDeclaration(
        name="MLCPLatencyP99AboveSLA",
        category="system",
        bar="latency",
        severity="page",
        for_seconds=10 * MINUTE,
        for_why=LATENCY_WHY_PAGE,
        comparison=">",
        threshold="sla.latency.p99",
        series="mlcp:latency_p99:5m",
        panel="Latency p99 (SLA line)",
        fires_when="p99 latency over 5m is above `sla.latency.p99`",
        meaning=(
            "One request in a hundred takes longer than the SLA promises. Callers with "
            "timeouts near the SLA start failing; look for a slow dependency, a saturated "
            "instance or a larger model artifact."
        ),
    ),
    AlertDeclaration(
        name="MLCPLatencyP95AboveSLA",
        category="system",
        bar="latency",
        severity="ticket",
        for_seconds=15 * MINUTE,
        for_why=LATENCY_WHY_TICKET,
        comparison=">",
        threshold="sla.latency.p95",
        series="mlcp:latency_p95:5m",
        panel="Latency p95 (SLA line)",
        fires_when="the same for p95, when the spec declares it",
        meaning=(
            "One request in twenty is slower than the p95 SLA: the service is degrading "
            "before the p99 page."
        ),
    ),
    AlertDeclaration(
        name="MLCPLatencyP50AboveSLA",
        category="system",
        bar="latency",
        severity="ticket",
        for_seconds=15 * MINUTE,
        for_why=LATENCY_WHY_TICKET,
        comparison=">",
        threshold="sla.latency.p50",
        series="mlcp:latency_p50:5m",
        panel="Latency p50 (SLA line)",
        fires_when="the same for p50, when the spec declares it",
        meaning="The typical request is slower than the p50 SLA: every caller feels it.",
    ),
    AlertDeclaration(
        name="MLCPErrorBudgetBurn",
        variant="fast",
        category="system",
        bar="burn",
        severity="page",
        for_seconds=2 * MINUTE,
        for_why=(
            "Both a long and a short window must already be over the bar, so two minutes "
            "only rides out a single bad scrape."
        ),
        comparison=">",
        threshold=BUDGET,
        series="mlcp:error_ratio:<long> and mlcp:error_ratio:<short>",
        clauses=BURN_CLAUSES,
        panel="Error ratio (SLA line)",
        fires_when=f"the error ratio {_burn_windows('fast')}",
        meaning=(
            "Errors are spending the month's error budget fast enough to exhaust it in "
            "days. Find what changed (a deploy, a dependency, bad input) and roll back "
            "first."
        ),
    ),
    AlertDeclaration(
        name="MLCPErrorBudgetBurn",
        variant="slow",
        category="system",
        bar="burn",
        severity="ticket",
        for_seconds=15 * MINUTE,
        for_why="A slow burn leaves days to act: nobody is woken.",
        comparison=">",
        threshold=BUDGET,
        series="mlcp:error_ratio:<long> and mlcp:error_ratio:<short>",
        clauses=BURN_CLAUSES,
        panel="Error ratio (SLA line)",
        fires_when=f"the error ratio {_burn_windows('slow')}",
        meaning=(
            "Errors are steadily eating the error budget; at this rate it runs out "
            "before the month does."
        ),
    ),
    AlertDeclaration(
        name="MLCPErrorRateAboveSLA",
        category="system",
        bar="error_rate",
        severity="ticket",
        for_seconds=10 * MINUTE,
        for_why="A ticket: ten minutes keeps a short spike from opening one.",
        comparison=">",
        threshold="sla.error_rate",
        series="mlcp:error_ratio:5m",
        panel="Error ratio (SLA line)",
        fires_when="the error ratio over 5m is above `sla.error_rate`",
        meaning="More requests fail than the SLA allows.",
    ),
    _data(
        "psi_critical",
        15 * MINUTE,
        "PSI is computed over an hour or more of traffic and moves slowly; fifteen minutes "
        "confirms it is not one batch of odd requests.",
        ("mlcp:feature_psi:worst",),
        "PSI <feature> (warn <warn>, critical <critical>)",
        "a feature's PSI over its worst drift window is at or above its critical threshold",
        "The distribution of a feature has moved far from training: the model is scoring "
        "inputs it was not trained on. One alert per model and feature, naming the drift "
        "window where the PSI is worst.",
        PSI_TEXT,
        inhibits=(
            Inhibition(
                (("alertname", signals.DRIFT_WARNING),),
                ("model", "feature"),
                "a critical drift already pages; its warning for the same feature is noise",
            ),
        ),
    ),
    _data(
        "psi_warning",
        30 * MINUTE,
        DATA_WHY,
        ("mlcp:feature_psi:worst",),
        "PSI <feature> (warn <warn>, critical <critical>)",
        "… at or above its warning threshold",
        "A feature's distribution is moving away from training; not yet harmful, worth a "
        "look before it reaches critical.",
        PSI_TEXT,
    ),
    _data(
        "null_rate",
        30 * MINUTE,
        DATA_WHY,
        ("mlcp:feature_null_ratio_vs_training:<window>", "mlcp:feature_null_ratio:<window>"),
        "Null share against training (<window>)",
        "a feature's null share over the shortest drift window is more than "
        "`null_rate.max_ratio_to_training` times its training share and above "
        "`null_rate.min_rate`",
        "An upstream source is sending missing values for a feature far more often than "
        "in training; the model sees them as a default value.",
        (
            "<model>: feature <feature> has more nulls than in training",
            "The null share of feature <feature> over the last <window> is <value> times its "
            "share in training, and above <limit1>; the spec allows at most <limit0> times, "
            "or any share up to <limit1>.",
        ),
    ),
    _data(
        "out_of_range",
        30 * MINUTE,
        DATA_WHY,
        ("mlcp:feature_out_of_range_ratio:<window>",),
        "Out of training range (<window>)",
        "the share of a numeric feature's values outside the training range exceeds "
        "`out_of_range.max_rate`",
        "A numeric feature takes values the model never saw in training: a unit change, "
        "a new product or a bug upstream.",
        (
            "<model>: feature <feature> outside its training range",
            "Over the last <window>, <value> of the values of feature <feature> fell outside "
            "the training range; the spec allows at most <limit0>.",
        ),
    ),
    _data(
        "unseen_categories",
        30 * MINUTE,
        DATA_WHY,
        ("mlcp:feature_unseen_ratio:<window>",),
        "Unseen categories (<window>)",
        "the share of a categorical feature's values never seen in training exceeds "
        "`unseen_categories.max_rate`",
        "A categorical feature takes values unknown in training; the model treats them all alike.",
        (
            "<model>: feature <feature> sees categories unknown in training",
            "Over the last <window>, <value> of the values of feature <feature> were "
            "categories never seen in training; the spec allows at most <limit0>.",
        ),
    ),
    AlertDeclaration(
        name="MLCPVolumeDrop",
        category="data",
        bar="volume",
        severity="ticket",
        for_seconds=30 * MINUTE,
        for_why="Traffic is compared hour against hour; half an hour rules out a lull.",
        comparison="<",
        threshold="1 − drift.volume.max_drop",
        series="mlcp:request_rate_vs_<compare_to>:1h",
        panel="Traffic against <compare_to> earlier",
        fires_when=(
            "requests over the last hour fell by more than `volume.max_drop` against the "
            "same hour `volume.compare_to` earlier"
        ),
        meaning=(
            "Fewer requests reach the model than usual: a caller stopped calling, or "
            "traffic goes elsewhere."
        ),
        causes=(
            "a caller stopped calling, or a router sends its traffic elsewhere;",
            "an upstream outage: the requests never reach the model;",
            "a real lull the comparison does not know about (a holiday, a migration).",
        ),
    ),
    AlertDeclaration(
        name="MLCPModelBroken",
        category="quality",
        bar="quality",
        severity="page",
        for_seconds=15 * MINUTE,
        for_why=QUALITY_WHY_BROKEN,
        comparison="outside",
        threshold="quality.metrics[].min / max (broken: true)",
        series="mlcp:model_quality:<window>",
        panel="<metric> over <window>",
        fires_when="a quality metric with `broken: true` is past its bar over its window",
        meaning=(
            "A metric the spec marks as breaking the model is past its bar: the model's "
            "decisions are wrong often enough to harm. Fall back (`mlcp rollback`) first."
        ),
    ),
    AlertDeclaration(
        name="MLCPModelQualityLow",
        category="quality",
        bar="quality",
        severity="ticket",
        for_seconds=HOUR,
        for_why=QUALITY_WHY_LOW,
        comparison="outside",
        threshold="quality.metrics[].min / max",
        series="mlcp:model_quality:<window>",
        panel="<metric> over <window>",
        fires_when="any other quality metric is past its bar over its window",
        meaning="A quality metric is past its bar: plan a retraining or look for drift.",
    ),
    AlertDeclaration(
        name="MLCPProxyMetricBroken",
        category="quality",
        bar="quality",
        severity="page",
        for_seconds=15 * MINUTE,
        for_why=QUALITY_WHY_BROKEN,
        comparison="outside",
        threshold="quality.proxies[].min / max (broken: true)",
        series="mlcp:model_proxy:<window>",
        panel="<metric> (proxy) over <window>",
        fires_when="a proxy with `broken: true` is past its bar over its window",
        meaning=(
            "A business proxy the spec marks as breaking the model is past its bar, long "
            "before labels arrive. Fall back first."
        ),
    ),
    AlertDeclaration(
        name="MLCPProxyMetricDegraded",
        category="quality",
        bar="quality",
        severity="ticket",
        for_seconds=HOUR,
        for_why=QUALITY_WHY_LOW,
        comparison="outside",
        threshold="quality.proxies[].min / max",
        series="mlcp:model_proxy:<window>",
        panel="<metric> (proxy) over <window>",
        fires_when="any other proxy is past its bar",
        meaning="A business proxy is past its bar.",
    ),
    AlertDeclaration(
        name="MLCPShadowDivergence",
        category="rollout",
        bar="shadow",
        severity="ticket",
        for_seconds=30 * MINUTE,
        for_why=(
            "The candidate serves no one in shadow: nobody is woken, and half an hour over an "
            "hour's comparisons rules out one odd batch of requests."
        ),
        comparison=">",
        threshold="rollout.shadow.max_divergence",
        series="mlcp:shadow_divergence:1h",
        panel="Shadow divergence of the candidate (max_divergence line)",
        fires_when=(
            "in shadow, the candidate's answers diverge from stable's over 1h by more than "
            "`rollout.shadow.max_divergence` (models with a shadow phase)"
        ),
        meaning=(
            "The candidate answers the same requests differently from the stable model more "
            "often than the spec allows: disagreement rate (classification), relative error "
            "(regression) or 1 − top-10 overlap (ranking). `mlcp promote` will refuse to "
            "leave shadow; look at the requests where they disagree before promoting it."
        ),
    ),
    AlertDeclaration(
        name="MLCPMonitorAbsent",
        category="monitor",
        bar="absent",
        severity="page",
        for_seconds=10 * MINUTE,
        for_why="Until the exporter is back every other alert of the model is blind.",
        comparison="absent",
        threshold="serving.schedule (batch models)",
        series="mlcp_predictions_total",
        panel="Requests per second",
        fires_when=(
            "the model's exporter series are gone (batch models: none for longer than "
            "the schedule's longest gap plus a quarter)"
        ),
        meaning=(
            "Prometheus no longer receives the model's metrics: the service is down, "
            "its /metrics endpoint is gone, or scraping broke. Every other alert of the "
            "model is blind until it is back."
        ),
        inhibits=(
            Inhibition(
                (("category", "data"),),
                ("model",),
                "with the exporter silent, the model's data alerts say nothing true",
            ),
        ),
    ),
)


def panel_title(declaration: AlertDeclaration, **values: object) -> str:
    """The title of the declaration's dashboard panel, its `<name>` parts filled in."""
    title = declaration.panel
    for name, value in values.items():
        title = title.replace(f"<{name}>", str(value))
    return title


def declared(
    name: str, severity: Severity | None = None, variant: str | None = None
) -> AlertDeclaration:
    """The declaration of an alert (of the variant, or the one with this severity, where it
    has two)."""
    found = [
        d
        for d in DECLARATIONS
        if d.name == name
        and (severity is None or d.severity == severity)
        and (variant is None or d.variant == variant)
    ]
    if len(found) != 1:
        wanted = variant or severity or "any variant"
        raise KeyError(f"{name} ({wanted}): {len(found)} declarations")
    return found[0]


def readme_table() -> str:
    """The README's alert table, row for row."""
    rows = [
        "| alert | severity | `for` | condition | fires when |",
        "|---|---|---|---|---|",
    ]
    for d in DECLARATIONS:
        name = f"`{d.name}`" + (f" ({d.variant})" if d.variant else "")
        minutes = d.for_seconds / MINUTE
        for_text = f"{minutes / 60:g}h" if minutes % 60 == 0 else f"{minutes:g}m"
        rows.append(f"| {name} | {d.severity} | {for_text} | {d.condition} | {d.fires_when} |")
    return "\n".join(rows)
