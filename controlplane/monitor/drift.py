"""Drift math against a reference profile, and the batch drift report.

PSI is ``sum((a - e) * ln(a / e))`` over a feature's bins, with both the actual
share ``a`` and the reference share ``e`` floored at ``contract.PSI_EPSILON``
and not renormalized, exactly as the generated recording rules compute it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from controlplane import contract, signals
from controlplane.alerts import DECLARATIONS
from controlplane.model import Feature, Model
from controlplane.monitor.binning import count_column
from controlplane.monitor.errors import MonitorError
from controlplane.monitor.profile import NumericProfile, Profile, reference_shares
from controlplane.monitor.source import DEFAULT_CHUNK_ROWS, open_source
from controlplane.signals import FIGURES, SIGNALS, DataSignal, show

Status = Literal["ok", "warn", "critical"]
STATUS_ORDER: dict[Status, int] = {"ok": 0, "warn": 1, "critical": 2}
Figures = dict[str, float | None]  # signals.Figure -> value; None where it does not apply


def psi(
    actual: Sequence[float] | npt.NDArray[np.float64],
    expected: Sequence[float] | npt.NDArray[np.float64],
    epsilon: float = contract.PSI_EPSILON,
) -> float:
    """PSI of actual shares against expected shares (same bins, same order)."""
    a = np.maximum(np.asarray(actual, dtype=np.float64), epsilon)
    e = np.maximum(np.asarray(expected, dtype=np.float64), epsilon)
    return float(np.sum((a - e) * np.log(a / e)))


def shares(counts: Sequence[int] | npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    array = np.asarray(counts, dtype=np.float64)
    total = array.sum()
    return array / total if total > 0 else np.zeros_like(array)


def null_ratio_to_training(actual_null_share: float, training_null_share: float) -> float:
    """How many times the training null share; the training share is floored at epsilon."""
    return actual_null_share / max(training_null_share, contract.PSI_EPSILON)


@dataclass(frozen=True)
class FeatureDrift:
    feature: str
    kind: str
    rows: int
    psi: float
    null_rate: float
    training_null_rate: float
    null_ratio: float
    out_of_range_rate: float | None  # numeric only; None with no value present
    unseen_rate: float | None  # categorical only
    status: Status
    reasons: tuple[str, ...]

    def figures(self) -> Figures:
        """The figures the data-health signals judge (`controlplane.signals.FIGURES`)."""
        return {
            "psi": self.psi,
            "null_ratio_to_training": self.null_ratio,
            "null_rate": self.null_rate,
            "out_of_range_rate": self.out_of_range_rate,
            "unseen_rate": self.unseen_rate,
        }


@dataclass(frozen=True)
class DriftReport:
    model: str
    rows: int
    features: tuple[FeatureDrift, ...]

    def feature_named(self, name: str) -> FeatureDrift:
        for feature in self.features:
            if feature.feature == name:
                return feature
        raise KeyError(name)

    @property
    def status(self) -> Status:
        worst: Status = "ok"
        for feature in self.features:
            if STATUS_ORDER[feature.status] > STATUS_ORDER[worst]:
                worst = feature.status
        return worst


SIGNAL_STATUS: dict[str, Status] = {"page": "critical", "ticket": "warn"}


def reason(signal: DataSignal, model: Model, feature: Feature, figures: Figures) -> str:
    """Why a signal fires, each figure named and shown as the signal table says."""
    parts = []
    for condition in signal.conditions:
        figure = condition.figure
        value = show(figure, figures[figure] or 0.0)
        limit = show(figure, condition.threshold(model, feature))
        parts.append(f"{FIGURES[figure].label} {value} {condition.comparison} {limit}")
    return " and ".join(parts)


def _held_back(firing: set[str]) -> set[str]:
    """The alert names the declared inhibitions of the firing alerts hold back."""
    return {
        value
        for declaration in DECLARATIONS
        if declaration.name in firing
        for inhibition in declaration.inhibits
        for label, value in inhibition.target
        if label == "alertname"
    }


def judge(model: Model, name: str, figures: Figures) -> tuple[Status, list[str]]:
    """Status and reasons from the data-health signals, as the online alerts judge them.

    A signal that pages is critical here, one that opens a ticket is warn. A signal
    whose alert Alertmanager would hold back (a declared inhibition: PSI warning under
    PSI critical) is not named, as it never reaches a person.
    """
    feature = model.feature(name)
    fired = [s for s in SIGNALS if s.fires(model, feature, figures)]
    held = _held_back({s.alert for s in fired})
    status: Status = "ok"
    reasons: list[str] = []
    for signal in fired:
        if signal.alert in held:
            continue
        reasons.append(reason(signal, model, feature, figures))
        level = SIGNAL_STATUS[signal.severity]
        if STATUS_ORDER[level] > STATUS_ORDER[status]:
            status = level
    return status, reasons


def feature_drift(model: Model, profile: Profile, name: str, bins: Any, out: int) -> FeatureDrift:
    """Figures and status for one feature from its bin counts (in the profile's label order)."""
    reference = profile.feature(name)
    counts = np.asarray(bins, dtype=np.int64)
    rows = int(counts.sum())
    actual = shares(counts)
    labels = reference.labels
    training_null = reference.nulls / reference.rows if reference.rows else 0.0
    nulls = int(counts[labels.index(contract.BIN_NULL)])
    null_rate = signals.share("null_rate", nulls, rows, nulls) or 0.0
    numeric = isinstance(reference, NumericProfile)
    unseen = 0 if numeric else int(counts[labels.index(contract.BIN_UNSEEN)])
    figures: Figures = {
        "psi": psi(actual, reference_shares(reference)),
        "null_ratio_to_training": null_ratio_to_training(null_rate, training_null),
        "null_rate": null_rate,
        "out_of_range_rate": signals.share("out_of_range_rate", out, rows, nulls)
        if numeric
        else None,
        "unseen_rate": None if numeric else signals.share("unseen_rate", unseen, rows, nulls),
    }
    status, reasons = judge(model, name, figures)
    return FeatureDrift(
        feature=name,
        kind=reference.kind,
        rows=rows,
        psi=float(figures["psi"] or 0.0),
        null_rate=null_rate,
        training_null_rate=training_null,
        null_ratio=float(figures["null_ratio_to_training"] or 0.0),
        out_of_range_rate=figures["out_of_range_rate"],
        unseen_rate=figures["unseen_rate"],
        status=status,
        reasons=tuple(reasons),
    )


def compute_drift(
    source: Any,
    model: Model,
    profile: Profile,
    *,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    progress: Callable[[int, int | None], None] | None = None,
) -> DriftReport:
    """Stream ``source`` through the profile's bins and judge every feature of ``model``."""
    if profile.model != model.name:
        raise MonitorError(f"the profile is for model {profile.model!r}, not {model.name!r}")
    references = profile.features_for(model)
    names = [reference.name for reference in references]
    chunks = open_source(source, model, chunk_rows)
    totals = {r.name: np.zeros(len(r.labels), dtype=np.int64) for r in references}
    out = dict.fromkeys(names, 0)
    rows = 0
    by_name = {reference.name: reference for reference in references}
    for piece in chunks.slices():
        for name, column in piece.columns:
            counted = count_column(by_name[name], column)
            totals[name] += counted.bins
            out[name] += counted.out_of_range
        rows += piece.rows
        if progress is not None:
            progress(rows, chunks.total_rows)
    features = tuple(feature_drift(model, profile, n, totals[n], out[n]) for n in names)
    return DriftReport(model.name, rows, features)
