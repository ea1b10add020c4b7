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

from controlplane import contract
from controlplane.model import Model
from controlplane.monitor.binning import count_column
from controlplane.monitor.errors import MonitorError
from controlplane.monitor.profile import NumericProfile, Profile, reference_shares
from controlplane.monitor.source import DEFAULT_CHUNK_ROWS, open_source

Status = Literal["ok", "warn", "critical"]
STATUS_ORDER: dict[Status, int] = {"ok": 0, "warn": 1, "critical": 2}


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
    out_of_range_rate: float | None  # numeric only
    unseen_rate: float | None  # categorical only
    status: Status
    reasons: tuple[str, ...]


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


def _judge(model: Model, name: str, figures: dict[str, float | None]) -> tuple[Status, list[str]]:
    threshold = model.feature(name).psi
    drift = model.drift
    value = figures["psi"] or 0.0
    reasons: list[str] = []
    status: Status = "ok"
    if value > threshold.critical:
        status, reasons = "critical", [f"psi {value:.4f} > {threshold.critical:g}"]
    elif value > threshold.warn:
        status, reasons = "warn", [f"psi {value:.4f} > {threshold.warn:g}"]
    # Each of these has one limit in the spec; crossing it is a data bug, not noise.
    limits = (
        ("null_ratio", drift.null_max_ratio_to_training, "null rate x{:.2f} of training > x{:g}"),
        ("out_of_range_rate", drift.out_of_range_max_rate, "out of range {:.2%} > {:.2%}"),
        ("unseen_rate", drift.unseen_max_rate, "unseen categories {:.2%} > {:.2%}"),
    )
    for key, limit, text in limits:
        observed = figures[key]
        if observed is not None and observed > limit:
            status = "critical"
            reasons.append(text.format(observed, limit))
    return status, reasons


def feature_drift(model: Model, profile: Profile, name: str, bins: Any, out: int) -> FeatureDrift:
    """Figures and status for one feature from its bin counts (in the profile's label order)."""
    reference = profile.feature(name)
    counts = np.asarray(bins, dtype=np.int64)
    rows = int(counts.sum())
    actual = shares(counts)
    labels = reference.labels
    training_null = reference.nulls / reference.rows if reference.rows else 0.0
    null_rate = float(actual[labels.index(contract.BIN_NULL)])
    numeric = isinstance(reference, NumericProfile)
    figures: dict[str, float | None] = {
        "psi": psi(actual, reference_shares(reference)),
        "null_ratio": null_ratio_to_training(null_rate, training_null),
        "out_of_range_rate": (out / rows if rows else 0.0) if numeric else None,
        "unseen_rate": None if numeric else float(actual[labels.index(contract.BIN_UNSEEN)]),
    }
    status, reasons = _judge(model, name, figures)
    return FeatureDrift(
        feature=name,
        kind=reference.kind,
        rows=rows,
        psi=float(figures["psi"] or 0.0),
        null_rate=null_rate,
        training_null_rate=training_null,
        null_ratio=float(figures["null_ratio"] or 0.0),
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
    for batch in chunks.batches:
        for reference in references:
            counted = count_column(reference, batch.column(reference.name))
            totals[reference.name] += counted.bins
            out[reference.name] += counted.out_of_range
        rows += batch.num_rows
        if progress is not None:
            progress(rows, chunks.total_rows)
    features = tuple(feature_drift(model, profile, n, totals[n], out[n]) for n in names)
    return DriftReport(model.name, rows, features)
