"""Semantic rules on features, drift thresholds and quality bars."""

from __future__ import annotations

import re
from collections.abc import Iterator

from controlplane import contract
from controlplane.diagnostics import Diagnostic
from controlplane.domain import (
    LOWER_IS_BETTER,
    METRIC_RANGES,
    PROXY_RANGE,
    QUALITY_METRICS,
)
from controlplane.spec.load import KeyPath
from controlplane.spec.parse import did_you_mean
from controlplane.spec.rulebook import FEATURE_NAME, Context, is_bare, rule
from controlplane.spec.types import _Unit
from controlplane.spec.v1 import Proxy, QualityMetric


@rule("MLCP208", "drift.psi.warn is below drift.psi.critical")
def _psi_order(ctx: Context) -> Iterator[Diagnostic]:
    psi = ctx.spec.drift.psi
    if psi.warn >= psi.critical:
        yield ctx.report(
            ("drift", "psi", "warn"),
            f"drift.psi.warn ({psi.warn:g}) must be below drift.psi.critical ({psi.critical:g})",
            "the usual reading is 0.1 investigate, 0.25 act",
        )


@rule("MLCP209", "a feature's PSI override keeps warn below critical")
def _override_order(ctx: Context) -> Iterator[Diagnostic]:
    base = ctx.spec.drift.psi
    for name, override in ctx.spec.features.overrides.items():
        warn = override.psi.warn if override.psi.warn is not None else base.warn
        critical = override.psi.critical if override.psi.critical is not None else base.critical
        if warn >= critical:
            yield ctx.report(
                ("features", "overrides", name, "psi"),
                f"feature {name!r}: PSI warn ({warn:g}) must be below critical ({critical:g})",
                "an override inherits the model-wide value for the side it leaves out",
            )


@rule("MLCP240", "PSI thresholds lie within what PSI can reach (2·(1 − ε)·ln(1/ε), about 18.4)")
def _psi_reachable(ctx: Context) -> Iterator[Diagnostic]:
    """A threshold above the ceiling never fires, however far the data moves
    (`contract.psi_ceiling` derives the bound)."""
    base = ctx.spec.drift.psi
    levels: list[tuple[KeyPath, str, float | None]] = [
        (("drift", "psi", "warn"), "drift.psi.warn", base.warn),
        (("drift", "psi", "critical"), "drift.psi.critical", base.critical),
    ]
    for name, override in ctx.spec.features.overrides.items():
        for level in ("warn", "critical"):
            where = ("features", "overrides", name, "psi", level)
            levels.append((where, f"feature {name!r}: PSI {level}", getattr(override.psi, level)))
    for path, what, value in levels:
        if value is not None and value > contract.PSI_CEILING:
            yield ctx.report(
                path,
                f"{what} {value:g} can never be reached: with shares floored at "
                f"{contract.PSI_EPSILON:g}, PSI is at most {contract.PSI_CEILING:.4g}",
                f"all of a feature moved to a bin training never saw scores "
                f"{contract.PSI_CEILING:.4g}; the usual reading is 0.1 investigate, 0.25 act",
            )


@rule("MLCP210", "features.overrides names only declared features")
def _override_names(ctx: Context) -> Iterator[Diagnostic]:
    declared = [*ctx.spec.features.numeric, *ctx.spec.features.categorical]
    for name in ctx.spec.features.overrides:
        if name not in declared:
            yield ctx.report(
                ("features", "overrides", name),
                f"features.overrides names {name!r}, which is not a declared feature",
                _override_hint(name, declared),
                key=True,
            )


def _override_hint(name: str, declared: list[str]) -> str:
    """Suggest only valid feature names; a declaration that differs in case is the typo."""
    same = next((d for d in declared if d.lower() == name.lower()), None)
    if same is not None:
        return f"it is declared as {same!r}: rename the declaration to {name!r}"
    valid = [d for d in declared if FEATURE_NAME.fullmatch(d)]
    return did_you_mean(name, valid) or "declare it under numeric or categorical"


@rule("MLCP211", "feature names are lowercase identifiers (safe as metric label values)")
def _feature_names(ctx: Context) -> Iterator[Diagnostic]:
    for kind in ("numeric", "categorical"):
        for i, name in enumerate(getattr(ctx.spec.features, kind)):
            if FEATURE_NAME.fullmatch(name):
                continue
            if re.fullmatch(r"[a-z_][a-z0-9_]*", name):  # the characters are right: too long
                yield ctx.report(
                    ("features", kind, i),
                    f"feature name {name!r} is {len(name)} characters long; at most 63",
                    "shorten it: feature names become metric labels, rule names and titles",
                )
                continue
            fixed = re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_")
            yield ctx.report(
                ("features", kind, i),
                f"feature name {name!r} must be a lowercase identifier ([a-z_][a-z0-9_]*)",
                f"did you mean {fixed!r}? feature names become metric labels and rule names"
                if FEATURE_NAME.fullmatch(fixed)
                else "feature names become metric labels, rule names and dashboard titles",
            )


@rule("MLCP212", "each feature is declared once")
def _feature_unique(ctx: Context) -> Iterator[Diagnostic]:
    seen: set[str] = set()
    for kind in ("numeric", "categorical"):
        for i, name in enumerate(getattr(ctx.spec.features, kind)):
            if name in seen:
                yield ctx.report(
                    ("features", kind, i),
                    f"feature {name!r} is declared more than once",
                    "a feature is either numeric or categorical, and listed once",
                )
            seen.add(name)


@rule("MLCP230", "drift windows are distinct and at least 5m")
def _windows(ctx: Context) -> Iterator[Diagnostic]:
    seen: dict[float, str] = {}
    for i, window in enumerate(ctx.spec.drift.windows):
        if window.value < 300:
            yield ctx.report(
                ("drift", "windows", i),
                f"drift window {window} is shorter than 5m",
                "PSI over a few minutes of traffic is noise; use 1h, 1d, 7d",
            )
        elif window.value in seen:
            first = seen[window.value]
            twice = "is listed twice" if first == window.text else f"is the same window as {first}"
            yield ctx.report(
                ("drift", "windows", i),
                f"drift window {window} {twice}",
                "remove the repeat: each window is evaluated once",
            )
        seen.setdefault(window.value, window.text)


@rule("MLCP220", "quality metrics are valid for the task type")
def _metric_names(ctx: Context) -> Iterator[Diagnostic]:
    valid = list(QUALITY_METRICS[ctx.spec.task.type])
    for i, metric in enumerate(ctx.spec.quality.metrics):
        if metric.name not in valid:
            yield ctx.report(
                ("quality", "metrics", i, "name"),
                f"quality metric {metric.name!r} is not defined for {ctx.spec.task.type}",
                did_you_mean(metric.name, valid) or f"use one of {', '.join(valid)}",
            )


@rule("MLCP221", "a quality bar or proxy sets exactly one of min and max")
def _metric_bounds(ctx: Context) -> Iterator[Diagnostic]:
    bars = [("metrics", m.name, m.min, m.max) for m in ctx.spec.quality.metrics]
    bars += [("proxies", p.name, p.min, p.max) for p in ctx.spec.quality.proxies]
    counts: dict[str, int] = {}
    for kind, name, low, high in bars:
        i = counts[kind] = counts.get(kind, -1) + 1
        if (low is None) == (high is None):
            yield ctx.report(
                ("quality", kind, i),
                f"quality {kind[:-1] if kind == 'metrics' else 'proxy'} {name!r} must set "
                "exactly one of min or max",
                _bound_hint(kind, name, both=low is not None),
            )
        elif kind == "metrics" and name in LOWER_IS_BETTER and low is not None:
            yield ctx.report(
                ("quality", kind, i, "min"),
                f"quality metric {name!r} is lower-is-better, so it takes max, not min",
                f"write max: for {name}",
            )


def _bound_hint(kind: str, name: str, *, both: bool) -> str:
    """Which side a bar takes: known for quality metrics, the team's call for a proxy."""
    side = "max" if name in LOWER_IS_BETTER else "min"
    if kind == "metrics" and any(name in names for names in QUALITY_METRICS.values()):
        lower = "lower" if side == "max" else "higher"
        verb = "keep only" if both else "set"
        return f"{verb} {side}: for {name}, {lower} is better"
    return "min to alert when the value falls below, max when it rises above"


@rule("MLCP228", "quality metric and proxy names are unique")
def _metric_unique(ctx: Context) -> Iterator[Diagnostic]:
    seen: set[str] = set()
    entries = [("metrics", i, m.name) for i, m in enumerate(ctx.spec.quality.metrics)]
    entries += [("proxies", i, p.name) for i, p in enumerate(ctx.spec.quality.proxies)]
    for kind, i, name in entries:
        if name in seen:
            yield ctx.report(
                ("quality", kind, i, "name"),
                f"quality signal {name!r} is declared more than once",
                "give each bar its own name; one metric can carry one bar",
            )
        seen.add(name)


@rule(
    "MLCP229", "quality bars lie within their metric's range (shares between 0 and 1, R² below 1)"
)
def _metric_range(ctx: Context) -> Iterator[Diagnostic]:
    bars: list[tuple[str, int, QualityMetric | Proxy]]
    bars = [("metrics", i, m) for i, m in enumerate(ctx.spec.quality.metrics)]
    bars += [("proxies", i, p) for i, p in enumerate(ctx.spec.quality.proxies)]
    for kind, i, bar in bars:
        if kind == "metrics" and bar.name not in METRIC_RANGES:
            continue  # not a metric of any task: MLCP220 says so
        low, high = METRIC_RANGES[bar.name] if kind == "metrics" else PROXY_RANGE
        noun = "quality metric" if kind == "metrics" else "proxy"
        for side in ("min", "max"):
            value = getattr(bar, side)
            if value is None or low < value.value < high:
                continue
            yield ctx.report(
                ("quality", kind, i, side),
                f"{noun} {bar.name!r}: {side} {value} must lie between {_plain(low)} and "
                f"{_plain(high)}",
                _range_hint(value, high),
            )


def _plain(number: float) -> str:
    """0, 1, -1, 1,000,000: a bound as a person writes it."""
    return f"{number:,.0f}" if number.is_integer() else f"{number:g}"


def _range_hint(value: _Unit, high: float) -> str:
    if high == 1 and is_bare(value) and 1 <= value.value < 100:
        return f"did you mean {value}%?"
    if high == 1:
        return "write a fraction such as 0.85, or a percentage such as 85%"
    return ""
