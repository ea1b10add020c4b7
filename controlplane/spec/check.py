"""Semantic rules: what pydantic's types cannot say about one spec.

Each rule has a stable code, a one-line title (the README's table is made
from ``RULES``), and yields every problem it finds with its location and a
hint. Rules never raise and never stop at the first problem.

``RULES``, at the end, is what registers them: it lists the modules whose
rules run (this one, ``rules_data``, ``rules_ops``, ``rules_policy``).
Importing a module registers nothing, so what runs never depends on which
modules some other import happened to load first.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator
from itertools import pairwise

from controlplane.contract import BURN_RATE_WINDOWS
from controlplane.diagnostics import Diagnostic
from controlplane.domain import (
    DEFAULT_ROLLBACK_SYSTEM_SIGNALS,
    LATENCY_QUANTILES,
    LOWER_IS_BETTER,
    QUALITY_METRICS,
    SYSTEM_SIGNALS,
    RolloutState,
    RolloutStates,
    error_budget,
    error_budget_source,
    rollback_signals,
    rollout_state,
)
from controlplane.spec import rules_data, rules_ops, rules_placeholders, rules_policy
from controlplane.spec.config import ConfigSpec
from controlplane.spec.load import Document, KeyPath
from controlplane.spec.parse import did_you_mean, dotted
from controlplane.spec.rulebook import Context, Rule, is_bare, rule, rules_in
from controlplane.spec.types import _Unit
from controlplane.spec.v1 import ModelSpec
from controlplane.units import HOUR


def check_spec(spec: ModelSpec, doc: Document, config: ConfigSpec) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for r in RULES:
        ctx = Context(spec, doc, config, r.code, r.severity)
        out.extend(r.check(ctx))
    return out


def _value(unit: _Unit | None) -> float | None:
    return unit.value if unit is not None else None


def _pct(value: float) -> str:
    return f"{value * 100:g}%"


def _percent_meant(value: _Unit) -> str:
    """For a bare number read as a fraction: the percentage it probably was."""
    if is_bare(value) and 1 <= value.value < 100:
        return f"did you mean {value.text}%? a bare number is a fraction ({value.text} is {_pct(value.value)})"
    return ""


# --- SLA -------------------------------------------------------------------


@rule("MLCP201", "latency percentiles are ordered: p50 ≤ p95 ≤ p99")
def _latency_order(ctx: Context) -> Iterator[Diagnostic]:
    lat = ctx.spec.sla.latency
    given = [(n, v) for n, v in (("p50", lat.p50), ("p95", lat.p95), ("p99", lat.p99)) if v]
    for (low_name, low), (high_name, high) in pairwise(given):
        if low.value > high.value:
            yield ctx.report(
                ("sla", "latency", high_name),
                f"sla.latency.{high_name} ({high}) is below {low_name} ({low})",
                "a higher percentile can never be faster than a lower one",
            )


@rule("MLCP202", "rates (error rate, drift and divergence limits) lie strictly between 0 and 100%")
def _rates(ctx: Context) -> Iterator[Diagnostic]:
    s = ctx.spec
    candidates: list[tuple[KeyPath, _Unit | None]] = [
        (("sla", "error_rate"), s.sla.error_rate),
        (("drift", "out_of_range", "max_rate"), s.drift.out_of_range.max_rate),
        (("drift", "unseen_categories", "max_rate"), s.drift.unseen_categories.max_rate),
        (("drift", "volume", "max_drop"), s.drift.volume.max_drop),
        (("drift", "null_rate", "min_rate"), s.drift.null_rate.min_rate),
    ]
    if s.rollout.shadow:
        candidates.append(
            (("rollout", "shadow", "max_divergence"), s.rollout.shadow.max_divergence)
        )
    if s.retraining:
        candidates.append(
            (("retraining", "gate", "min_improvement"), s.retraining.gate.min_improvement)
        )
    for path, rate in candidates:
        if rate is None:
            continue
        # No improvement required, and no floor under the null share, are each a 0.
        low_ok = rate.value >= 0 if path[-1] in ("min_improvement", "min_rate") else rate.value > 0
        if not (low_ok and rate.value < 1):
            yield ctx.report(
                path,
                f"{'.'.join(map(str, path))} must be between 0 and 100% (got {rate.text})",
                _percent_meant(rate)
                or "write a percentage such as 0.5% or a fraction such as 0.005",
            )


@rule("MLCP203", "availability lies strictly between 0 and 100%")
def _availability(ctx: Context) -> Iterator[Diagnostic]:
    availability = ctx.spec.sla.availability
    if availability and not 0 < availability.value < 1:
        yield ctx.report(
            ("sla", "availability"),
            f"sla.availability must be above 0 and below 100% (got {availability})",
            _percent_meant(availability)
            or "write a target such as 99.9%; 100% leaves no error budget to alert on",
        )


@rule("MLCP244", "the error budget leaves room for burn-rate alerts (factor × budget < 1)")
def _burn_rate(ctx: Context) -> Iterator[Diagnostic]:
    sla = ctx.spec.sla
    availability, error_rate = _value(sla.availability), _value(sla.error_rate)
    source, budget = (
        error_budget_source(availability, error_rate),
        error_budget(availability, error_rate),
    )
    if source is None or budget is None:
        return
    path = ("sla", source)
    factor = max(f for _, _, f, _ in BURN_RATE_WINDOWS)
    if factor * budget >= 1:
        yield ctx.report(
            path,
            f"an error budget of {_pct(budget)} makes the {factor:g}× burn-rate alert "
            f"unreachable (threshold {factor * budget:.3g} ≥ 1)",
            f"tighten the objective to at least {math.ceil((1 - 1 / factor) * 1000) / 10:g}% "
            "availability"
            if path[-1] == "availability"
            else f"tighten sla.error_rate to {math.floor(1 / factor * 1000) / 10:g}% or less",
        )


def _origin(ctx: Context, path: KeyPath) -> str:
    """Where a value was written: a line of this spec, or the tier default in mlcp.yaml."""
    loc = ctx.doc.locate(path)
    if loc.file == ctx.doc.file:
        return f"line {loc.line}"
    return f"the {ctx.spec.metadata.tier} tier's default, {loc.file}:{loc.line}"


def _sla_hint(rate: float, meant: float | None, allowed: float, availability: _Unit) -> str:
    """MLCP245's fix: a bare rate that meant a percentage is fixed by writing the %, and by
    the availability that agrees with it where the one in force does not."""
    if meant is None:
        return f"set sla.availability: {_pct(1 - rate)} in this spec, or sla.error_rate: {_pct(allowed)}"
    if math.isclose(meant, allowed, abs_tol=1e-12):
        return (
            f"did you mean {_pct(meant)}? write sla.error_rate: {_pct(meant)}, which agrees with "
            f"sla.availability {availability}"
        )
    return (
        f"did you mean {_pct(meant)}? write sla.error_rate: {_pct(meant)} and "
        f"sla.availability: {_pct(1 - meant)} in this spec"
    )


@rule("MLCP245", "sla.error_rate and sla.availability agree (error_rate = 100% − availability)")
def _sla_agree(ctx: Context) -> Iterator[Diagnostic]:
    sla = ctx.spec.sla
    if not (sla.error_rate and sla.availability):
        return
    rate, availability = sla.error_rate.value, sla.availability.value
    allowed = 1 - availability
    if not (0 < rate < 1 and 0 < availability < 1) or math.isclose(rate, allowed, abs_tol=1e-12):
        return
    # Report on the value this spec wrote; name where the other one came from.
    here = ctx.doc.file
    rate_path, avail_path = ("sla", "error_rate"), ("sla", "availability")
    own_is_rate = ctx.doc.locate(rate_path).file == here or ctx.doc.locate(avail_path).file != here
    if own_is_rate:
        # A bare 0.5 (50%, which MLCP246 questions) must not be matched by availability: 50%.
        meant = rate / 100 if is_bare(sla.error_rate) and rate > BARE_RATE_BOUND else None
        yield ctx.report(
            rate_path,
            f"sla.error_rate {sla.error_rate} contradicts sla.availability {sla.availability} "
            f"({_origin(ctx, avail_path)}), which allows {_pct(allowed)} of requests to fail; "
            "the error budget and its burn-rate alerts follow availability",
            _sla_hint(rate, meant, allowed, sla.availability),
        )
    else:
        yield ctx.report(
            avail_path,
            f"sla.availability {sla.availability} allows {_pct(allowed)} of requests to fail, "
            f"which contradicts sla.error_rate {sla.error_rate} ({_origin(ctx, rate_path)})",
            f"set sla.error_rate: {_pct(allowed)} in this spec, "
            f"or sla.availability: {_pct(1 - rate)}",
        )


# A rate written as a bare number is a fraction (0.5 is 50%). Past these bounds a bare
# number is more likely a percentage with its % left out than what was meant (MLCP246;
# the README's table states them).
BARE_RATE_BOUND = 0.2
BARE_AVAILABILITY_FLOOR = 0.9
BARE_ALPHA_BOUND = 0.2


def _bare_rates(spec: ModelSpec) -> Iterator[tuple[KeyPath, _Unit, str]]:
    """Rates written as bare numbers that MLCP246 checks: path, value, what the rate is."""
    pairs: list[tuple[KeyPath, _Unit | None, str]] = [
        (("sla", "error_rate"), spec.sla.error_rate, "an error rate"),
        (("drift", "out_of_range", "max_rate"), spec.drift.out_of_range.max_rate, "a drift limit"),
        (
            ("drift", "unseen_categories", "max_rate"),
            spec.drift.unseen_categories.max_rate,
            "a drift limit",
        ),
    ]
    null_floor = spec.drift.null_rate.min_rate
    pairs.append((("drift", "null_rate", "min_rate"), null_floor, "a null-share floor"))
    if spec.rollout.shadow:
        divergence = spec.rollout.shadow.max_divergence
        pairs.append((("rollout", "shadow", "max_divergence"), divergence, "a divergence limit"))
    if spec.retraining:
        improvement = spec.retraining.gate.min_improvement
        pairs.append((("retraining", "gate", "min_improvement"), improvement, "an improvement"))
    for i, metric in enumerate(spec.quality.metrics):
        if metric.name in LOWER_IS_BETTER and metric.name in QUALITY_METRICS["classification"]:
            pairs.append((("quality", "metrics", i, "max"), metric.max, f"a {metric.name} bar"))
    for path, value, what in pairs:
        if value is not None and is_bare(value):
            yield path, value, what


@rule(
    "MLCP246",
    "a rate written as a bare number is plausible (0.5 is 50%: did you mean 0.5%?)",
    "warning",
)
def _bare_rate_plausible(ctx: Context) -> Iterator[Diagnostic]:
    for path, value, what in _bare_rates(ctx.spec):
        if BARE_RATE_BOUND < value.value < 1:
            yield ctx.report(
                path,
                f"{dotted(path)} {value} is a fraction, {_pct(value.value)}: more than the "
                f"{_pct(BARE_RATE_BOUND)} plausible for {what}",
                f"did you mean {value}%? if {_pct(value.value)} is meant, write {_pct(value.value)}",
            )
    availability = ctx.spec.sla.availability
    if availability and is_bare(availability) and 0 < availability.value < BARE_AVAILABILITY_FLOOR:
        yield ctx.report(
            ("sla", "availability"),
            f"sla.availability {availability} reads as {_pct(availability.value)}: "
            f"{_pct(1 - availability.value)} of requests may fail",
            f"write the target as a percentage, e.g. 99.5%; if {_pct(availability.value)} is "
            f"meant, write {_pct(availability.value)}",
        )
    gate = ctx.spec.retraining.gate if ctx.spec.retraining else None
    if gate and BARE_ALPHA_BOUND < gate.alpha < 1:
        yield ctx.report(
            ("retraining", "gate", "alpha"),
            f"retraining.gate.alpha {gate.alpha:g} lets a candidate that is no better pass the "
            f"gate {_pct(gate.alpha)} of the time",
            "the usual significance level is 0.05",
        )


# --- rollout ---------------------------------------------------------------


@rule("MLCP204", "rollout stages are percentages that strictly increase and end at 100")
def _stages(ctx: Context) -> Iterator[Diagnostic]:
    stages = ctx.spec.rollout.stages
    increasing = all(a < b for a, b in pairwise(stages))
    if not stages or not increasing or stages[-1] != 100 or stages[0] < 1:
        yield ctx.report(
            ("rollout", "stages"),
            f"rollout.stages must increase and end at 100 (got {stages})",
            "list traffic percentages in increasing order, e.g. [5, 25, 100]",
        )


def _valid_states(ctx: Context) -> list[str]:
    return list(RolloutStates(tuple(ctx.spec.rollout.stages)).states)


@rule("MLCP205", "rollout.state is stable, shadow, canary-N for a declared stage N, or full")
def _state(ctx: Context) -> Iterator[Diagnostic]:
    state, states = ctx.spec.rollout.state, _valid_states(ctx)
    if state not in states:
        record = _record(state)
        # canary-50 with no 50% stage: the stage is missing, not the state misspelled.
        hint = (
            f"{state} needs {record.weight} in rollout.stages (now {ctx.spec.rollout.stages})"
            if record is not None and record.kind == "canary"
            else did_you_mean(state, states) or "`mlcp promote` moves a model through these states"
        )
        yield ctx.report(
            ("rollout", "state"), f"rollout.state {state!r} is not one of {', '.join(states)}", hint
        )


def _record(state: str) -> RolloutState | None:
    try:
        return rollout_state(state)
    except ValueError:  # MLCP205 names it
        return None


@rule("MLCP206", "a candidate artifact is declared whenever rollout.state is not stable")
def _candidate(ctx: Context) -> Iterator[Diagnostic]:
    rollout = ctx.spec.rollout
    record = _record(rollout.state)
    if (record is None or record.candidate_runs) and rollout.candidate is None:
        yield ctx.report(
            ("rollout", "state"),
            f"rollout.state is {rollout.state!r} but no rollout.candidate is declared",
            "add rollout.candidate {version, image, model_data}, or set state: stable",
        )


@rule("MLCP207", "the shadow state needs a rollout.shadow phase")
def _shadow_state(ctx: Context) -> Iterator[Diagnostic]:
    record = _record(ctx.spec.rollout.state)
    if record is not None and record.mirrored and ctx.spec.rollout.shadow is None:
        yield ctx.report(
            ("rollout", "state"),
            "rollout.state is 'shadow' but rollout.shadow is not declared",
            "add rollout.shadow {duration: 48h, max_divergence: 5%}",
        )


@rule("MLCP213", "a shadow phase lasts between 24h and 72h", "warning")
def _shadow_duration(ctx: Context) -> Iterator[Diagnostic]:
    shadow = ctx.spec.rollout.shadow
    if shadow and not 24 * HOUR <= shadow.duration.value <= 72 * HOUR:
        yield ctx.report(
            ("rollout", "shadow", "duration"),
            f"rollout.shadow.duration {shadow.duration} is outside 24h-72h",
            "under a day misses daily seasonality; over three days delays every release",
        )


def declared_signals(spec: ModelSpec) -> list[str]:
    """Signals a spec defines, which rollout.rollback_on may name."""
    latency = [q for q in LATENCY_QUANTILES if getattr(spec.sla.latency, q)]
    budget = bool(spec.sla.error_rate or spec.sla.availability)
    quality = [m.name for m in spec.quality.metrics] + [p.name for p in spec.quality.proxies]
    return rollback_signals(latency, budget, quality)


def default_rollback_on(spec: ModelSpec) -> list[str]:
    """Unless a spec says otherwise: roll back on p99 latency, errors and every broken bar."""
    system = [s for s in DEFAULT_ROLLBACK_SYSTEM_SIGNALS if s in declared_signals(spec)]
    broken = [m.name for m in spec.quality.metrics if m.broken]
    return system + broken + [p.name for p in spec.quality.proxies if p.broken]


@rule("MLCP222", "rollout.rollback_on names only signals the spec defines")
def _rollback_on(ctx: Context) -> Iterator[Diagnostic]:
    task_metrics = QUALITY_METRICS[ctx.spec.task.type]
    declared = declared_signals(ctx.spec)
    # Only names that are themselves valid may be suggested: a misspelled quality metric
    # (reported by MLCP220) is never offered as the fix.
    proxies = {p.name for p in ctx.spec.quality.proxies}
    known = sorted(s for s in declared if s in SYSTEM_SIGNALS or s in task_metrics or s in proxies)
    for i, signal in enumerate(ctx.spec.rollout.rollback_on or []):
        if signal in known:
            continue
        if signal in SYSTEM_SIGNALS:
            why, hint = "its SLA is not declared", _declare_sla_hint(signal)
        elif signal in task_metrics:
            why = "no quality bar measures it"
            hint = f"add a quality.metrics bar named {signal!r}"
        else:
            why = "it is not defined"
            hint = did_you_mean(signal, known) or f"known signals: {', '.join(known) or 'none'}"
        yield ctx.report(
            ("rollout", "rollback_on", i), f"rollout.rollback_on names {signal!r} but {why}", hint
        )


def _declare_sla_hint(signal: str) -> str:
    if signal == "error_rate":
        return "declare sla.error_rate (or sla.availability), or remove error_rate"
    quantile = signal.removeprefix("latency_")
    return f"declare sla.latency.{quantile}, or remove {signal}"


@rule("MLCP235", "the candidate is a different version from the one serving", "warning")
def _candidate_version(ctx: Context) -> Iterator[Diagnostic]:
    candidate = ctx.spec.rollout.candidate
    if candidate and candidate.version == ctx.spec.serving.artifact.version:
        yield ctx.report(
            ("rollout", "candidate", "version"),
            f"rollout.candidate.version {candidate.version!r} is the version already serving",
            "bump the candidate's version so the two variants can be told apart",
        )


# The rules `mlcp validate` runs, in code order: this list is what registers them.
RULES: tuple[Rule, ...] = rules_in(
    sys.modules[__name__], rules_data, rules_ops, rules_policy, rules_placeholders
)
