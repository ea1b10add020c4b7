"""The data-health figures and signals: one table, read by the recording rules, the
generated alerting rules, the dashboards, the runbooks' bars, the promtool
scenarios, the batch `mlcp drift` report and the pipeline's data validation.

`FIGURES` says, for each per-feature figure (PSI, null share, ...), the series
the alerts read it from, its unit, how a person reads its name, the feature
kinds it exists for and, for a share, what it is a share of. `SIGNALS` names
the figures each signal judges, how each is compared with which threshold of
the spec, and the severity of crossing it. A signal holds when every one of its
conditions holds. Online (PromQL) and batch (Python) read the same comparison
here, so a value at a threshold is judged the same way by both.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from controlplane import contract
from controlplane.model import Feature, FeatureKind, Model

Comparison = Literal[">", ">=", "<"]
Severity = Literal["page", "ticket"]
# The per-feature figures a signal may judge; the recorded series and the batch
# report each compute every one of them.
Figure = Literal["psi", "null_ratio_to_training", "null_rate", "out_of_range_rate", "unseen_rate"]
# psi: the statistic itself; times: a multiple (of the training null share); percent: a share.
Unit = Literal["psi", "times", "percent"]
# What a share is a share of: all rows, or the non-null values only.
Denominator = Literal["rows", "values"]
KINDS: tuple[FeatureKind, ...] = ("numeric", "categorical")


@dataclass(frozen=True)
class FigureDef:
    name: Figure
    label: str  # as a reason or a bar names it
    unit: Unit
    series: str  # the recorded series the alerts read (contract.REC_*)
    kinds: tuple[FeatureKind, ...] = KINDS  # the features that have it
    # A share's denominator. Nulls have their own signal, so a figure about the
    # values (out of range) is a share of the values present, not of all rows:
    # 40 % nulls must not dilute it. None: not a share.
    denominator: Denominator | None = None


FIGURES: dict[Figure, FigureDef] = {
    f.name: f
    for f in (
        FigureDef("psi", "psi", "psi", contract.REC_FEATURE_PSI),
        FigureDef(
            "null_ratio_to_training",
            "null rate of training",
            "times",
            contract.REC_FEATURE_NULL_VS_TRAINING,
        ),
        FigureDef(
            "null_rate", "null rate", "percent", contract.REC_FEATURE_NULL_RATIO, denominator="rows"
        ),
        FigureDef(
            "out_of_range_rate",
            "out of range",
            "percent",
            contract.REC_FEATURE_OUT_OF_RANGE_RATIO,
            ("numeric",),
            "values",
        ),
        FigureDef(
            "unseen_rate",
            "unseen categories",
            "percent",
            contract.REC_FEATURE_UNSEEN_RATIO,
            ("categorical",),
            "rows",
        ),
    )
}


def denominator(figure: Figure) -> Denominator:
    """What a share figure is a share of (batch, recording rules and promtool read it)."""
    found = FIGURES[figure].denominator
    if found is None:
        raise KeyError(f"{figure} is not a share")
    return found


def share(figure: Figure, count: float, rows: float, nulls: float) -> float | None:
    """`count` as a share of the figure's denominator; None when that is empty (undefined)."""
    whole = rows - nulls if denominator(figure) == "values" else rows
    return count / whole if whole > 0 else None


SHOW: dict[Unit, Callable[[float], str]] = {
    "psi": lambda v: f"{v:.4f}",
    "times": lambda v: f"x{v:.2f}",
    "percent": lambda v: f"{v:.2%}",
}


def show(figure: Figure, value: float) -> str:
    """A figure's value as the batch report and the validation findings print it."""
    return SHOW[FIGURES[figure].unit](value)


COMPARE: dict[Comparison, Callable[[float, float], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
}


def holds(value: float, comparison: Comparison, threshold: float) -> bool:
    """Whether `value comparison threshold`, as PromQL's filter of the same name decides it."""
    return COMPARE[comparison](value, threshold)


@dataclass(frozen=True)
class Condition:
    figure: Figure
    comparison: Comparison
    threshold: Callable[[Model, Feature], float]
    source: str  # where the spec sets the threshold


@dataclass(frozen=True)
class DataSignal:
    name: str
    alert: str  # the alert that reports it online
    severity: Severity
    conditions: tuple[Condition, ...]  # all must hold
    per_feature: bool = False  # its thresholds may differ by feature (one rule each)

    def applies_to(self, feature: Feature) -> bool:
        """Whether the feature has every figure the signal judges."""
        return all(feature.kind in FIGURES[c.figure].kinds for c in self.conditions)

    def thresholds(self, model: Model, feature: Feature) -> tuple[float, ...]:
        return tuple(c.threshold(model, feature) for c in self.conditions)

    def fires(self, model: Model, feature: Feature, figures: Mapping[str, float | None]) -> bool:
        """Whether the figures of one feature cross this signal's thresholds."""
        if not self.applies_to(feature):
            return False
        for condition in self.conditions:
            value = figures.get(condition.figure)
            if value is None:
                return False
            if not holds(value, condition.comparison, condition.threshold(model, feature)):
                return False
        return True


DRIFT_CRITICAL = contract.ALERT_DRIFT_CRITICAL
DRIFT_WARNING = contract.ALERT_DRIFT_WARNING
NULL_RATE = contract.ALERT_NULL_RATE
OUT_OF_RANGE = contract.ALERT_OUT_OF_RANGE
UNSEEN = contract.ALERT_UNSEEN

PSI_SOURCE = "features.overrides.<feature>.psi.{level}, else drift.psi.{level}"

SIGNALS: tuple[DataSignal, ...] = (
    DataSignal(
        "psi_warning",
        DRIFT_WARNING,
        "ticket",
        (Condition("psi", ">=", lambda m, f: f.psi.warn, PSI_SOURCE.format(level="warn")),),
        per_feature=True,
    ),
    DataSignal(
        "psi_critical",
        DRIFT_CRITICAL,
        "page",
        (Condition("psi", ">=", lambda m, f: f.psi.critical, PSI_SOURCE.format(level="critical")),),
        per_feature=True,
    ),
    DataSignal(
        "null_rate",
        NULL_RATE,
        "ticket",
        (
            Condition(
                "null_ratio_to_training",
                ">",
                lambda m, f: m.drift.null_max_ratio_to_training,
                "drift.null_rate.max_ratio_to_training",
            ),
            Condition(
                "null_rate", ">", lambda m, f: m.drift.null_min_rate, "drift.null_rate.min_rate"
            ),
        ),
    ),
    DataSignal(
        "out_of_range",
        OUT_OF_RANGE,
        "ticket",
        (
            Condition(
                "out_of_range_rate",
                ">",
                lambda m, f: m.drift.out_of_range_max_rate,
                "drift.out_of_range.max_rate",
            ),
        ),
    ),
    DataSignal(
        "unseen_categories",
        UNSEEN,
        "ticket",
        (
            Condition(
                "unseen_rate",
                ">",
                lambda m, f: m.drift.unseen_max_rate,
                "drift.unseen_categories.max_rate",
            ),
        ),
    ),
)


def signal(name: str) -> DataSignal:
    for candidate in SIGNALS:
        if candidate.name == name:
            return candidate
    raise KeyError(name)


def signal_of_alert(alert: str) -> DataSignal:
    for candidate in SIGNALS:
        if candidate.alert == alert:
            return candidate
    raise KeyError(alert)
