"""Drift report output: a text table, JSON, and a Prometheus textfile for node_exporter."""

from __future__ import annotations

import json
from pathlib import Path

from prometheus_client import CollectorRegistry, Gauge, write_to_textfile

from controlplane import contract
from controlplane.monitor.drift import STATUS_ORDER, DriftReport, FeatureDrift

# "nulls" shows the null share beside its ratio to training: a ratio alone (x2000)
# hides whether that is 0.02 % or 20 % of the rows.
_COLUMNS = ("feature", "kind", "psi", "nulls (x training)", "out_of_range", "unseen", "status")


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.2%}"


def _nulls(feature: FeatureDrift) -> str:
    return f"{feature.null_rate:.2%} (x{feature.null_ratio:.2f})"


def _row(feature: FeatureDrift) -> tuple[str, ...]:
    return (
        feature.feature,
        feature.kind,
        f"{feature.psi:.4f}",
        _nulls(feature),
        _rate(feature.out_of_range_rate),
        _rate(feature.unseen_rate),
        feature.status + ("  " + "; ".join(feature.reasons) if feature.reasons else ""),
    )


def format_table(report: DriftReport) -> str:
    rows = [_COLUMNS, *(_row(f) for f in report.features)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS) - 1)]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[-1]
        for row in rows
    ]
    counts = {s: sum(f.status == s for f in report.features) for s in ("critical", "warn")}
    lines.append(
        f"{report.model}: {report.rows} rows, {len(report.features)} features, "
        f"{counts['critical']} critical, {counts['warn']} warn"
    )
    return "\n".join(line.rstrip() for line in lines)


def report_json(report: DriftReport) -> str:
    features = [
        {
            "feature": f.feature,
            "kind": f.kind,
            "psi": f.psi,
            "null_rate": f.null_rate,
            "training_null_rate": f.training_null_rate,
            "null_ratio_to_training": f.null_ratio,
            "out_of_range_rate": f.out_of_range_rate,
            "unseen_rate": f.unseen_rate,
            "status": f.status,
            "reasons": list(f.reasons),
        }
        for f in report.features
    ]
    document = {
        "model": report.model,
        "rows": report.rows,
        "status": report.status,
        "features": features,
    }
    return json.dumps(document, sort_keys=True, indent=2)


def write_textfile(report: DriftReport, path: Path) -> None:
    """Write the figures atomically (temp file + rename), as the textfile collector needs."""
    registry = CollectorRegistry(auto_describe=True)
    labels = [contract.MODEL, contract.FEATURE]
    gauges = {
        "psi": Gauge(
            contract.BATCH_FEATURE_PSI,
            "PSI against the reference profile.",
            labels,
            registry=registry,
        ),
        "null": Gauge(
            contract.BATCH_FEATURE_NULL_RATIO_TO_TRAINING,
            "Null share over the training null share.",
            labels,
            registry=registry,
        ),
        "out": Gauge(
            contract.BATCH_FEATURE_OUT_OF_RANGE_RATIO,
            "Share of values outside the training range.",
            labels,
            registry=registry,
        ),
        "unseen": Gauge(
            contract.BATCH_FEATURE_UNSEEN_RATIO,
            "Share of categories never seen in training.",
            labels,
            registry=registry,
        ),
        "status": Gauge(
            contract.BATCH_FEATURE_DRIFT_STATUS,
            "0 ok, 1 warn, 2 critical.",
            labels,
            registry=registry,
        ),
    }
    for f in report.features:
        key = (report.model, f.feature)
        gauges["psi"].labels(*key).set(f.psi)
        gauges["null"].labels(*key).set(f.null_ratio)
        if f.out_of_range_rate is not None:
            gauges["out"].labels(*key).set(f.out_of_range_rate)
        if f.unseen_rate is not None:
            gauges["unseen"].labels(*key).set(f.unseen_rate)
        gauges["status"].labels(*key).set(STATUS_ORDER[f.status])
    rows = Gauge(
        contract.BATCH_ROWS,
        "Rows in the batch checked for drift.",
        [contract.MODEL],
        registry=registry,
    )
    rows.labels(report.model).set(report.rows)
    write_to_textfile(str(path), registry)
