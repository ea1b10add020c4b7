"""`mlcp stage validate`: is this data fit to train on, judged as serving would judge it?

Four checks: schema (the features' columns and types, against the production
profile when there is one), completeness (rows within the window against
`retraining.data.min_rows`, null shares by the spec's null-rate rule),
distribution (PSI against the production profile; critical fails) and time
coverage of `retraining.data.window`. Every feature statistic is the runtime
monitor's (`controlplane.monitor`): training, validation and serving share one
definition of PSI, null share and unseen categories, and one reading of the
spec's thresholds (`controlplane.signals`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd
import pyarrow as pa

from controlplane import pipeline_layout as layout
from controlplane.model import Model
from controlplane.monitor import compute_drift, load_profile
from controlplane.monitor.drift import DriftReport, FeatureDrift, reason
from controlplane.monitor.errors import MonitorError
from controlplane.monitor.profile import Profile
from controlplane.monitor.source import check_type
from controlplane.pipeline.context import PipelineError, Stage, StageFailed
from controlplane.pipeline.frames import read_table, timestamps
from controlplane.pipeline.oncall import alert_on_call
from controlplane.signals import signal

# The data-health signals that make data unfit to train on: the others (PSI warning,
# out of range) are reported, as new data may rightly move a little or widen a range.
FAILING_SIGNALS = ("psi_critical", "null_rate", "unseen_categories")
DAY = 86_400.0


@dataclass(frozen=True)
class Finding:
    check: str  # schema | completeness | distribution | coverage
    feature: str | None
    message: str

    def line(self) -> str:
        where = f"feature {self.feature!r}: " if self.feature else ""
        return f"{self.check}: {where}{self.message}"


def schema_findings(table: pa.Table, model: Model, profile: Profile | None) -> list[Finding]:
    findings = []
    for name in (layout.TIME_COLUMN, layout.LABEL_COLUMN):
        if name not in table.column_names:
            findings.append(Finding("schema", None, f"missing column {name!r}"))
    for feature in model.features:
        if feature.name not in table.column_names:
            findings.append(Finding("schema", feature.name, "missing column"))
            continue
        try:
            check_type(feature.name, feature.kind, table.schema.field(feature.name).type)
        except MonitorError as error:
            expected = _profile_type(profile, feature.name)
            findings.append(Finding("schema", feature.name, f"{error}{expected}"))
    return findings


def _profile_type(profile: Profile | None, name: str) -> str:
    try:
        return f" (production profile: {profile.feature(name).dtype})" if profile else ""
    except KeyError:
        return ""


def drift_findings(model: Model, report: DriftReport) -> list[Finding]:
    findings = []
    for drift in report.features:
        feature, figures = model.feature(drift.feature), drift.figures()
        for name in FAILING_SIGNALS:
            data_signal = signal(name)
            if not data_signal.fires(model, feature, figures):
                continue
            check = "distribution" if name == "psi_critical" else "completeness"
            message = reason(data_signal, model, feature, figures)
            findings.append(Finding(check, drift.feature, message))
    return findings


def window_rows(table: pa.Table, window: float) -> tuple[int, float, list[Finding]]:
    """Rows inside the window ending at the newest row, the span the data covers, findings."""
    if layout.TIME_COLUMN not in table.column_names:
        return table.num_rows, 0.0, []
    try:
        times = timestamps(table.column(layout.TIME_COLUMN).to_pandas(), layout.TIME_COLUMN)
    except PipelineError as error:
        return table.num_rows, 0.0, [Finding("schema", None, str(error))]
    if times.isna().all():
        return 0, 0.0, [Finding("coverage", None, f"column {layout.TIME_COLUMN!r} is empty")]
    newest, oldest = times.max(), times.min()
    span = (newest - oldest).total_seconds()
    rows = int((times >= newest - pd.Timedelta(seconds=window)).sum())
    findings = []
    if span + DAY < window:  # a day's slack: daily partitions end where the day does
        findings.append(
            Finding(
                "coverage",
                None,
                f"the data covers {span / DAY:.0f} days, short of the window "
                f"retraining.data.window ({window / DAY:.0f} days)",
            )
        )
    return rows, span, findings


def validate(stage: Stage) -> dict[str, Any]:
    """The validation report (also written to reports/validation.json)."""
    model = stage.model
    table = read_table(stage.require(layout.SOURCE))
    profile_path = stage.path(layout.PRODUCTION_PROFILE)
    profile = load_profile(profile_path) if profile_path.exists() else None
    findings = schema_findings(table, model, profile)
    min_rows = int(stage.param("data.min_rows"))
    rows, span, coverage = window_rows(table, float(stage.param("data.window_seconds")))
    findings += coverage
    if rows < min_rows:
        message = f"{rows} rows in the window, fewer than retraining.data.min_rows ({min_rows})"
        findings.append(Finding("completeness", None, message))
    features: dict[str, Any] = {}
    if profile is not None and not any(f.check == "schema" for f in findings):
        report = compute_drift(table, model, profile)
        findings += drift_findings(model, report)
        features = {d.feature: _feature_entry(d) for d in report.features}
    return {
        "model": model.name,
        "passed": not findings,
        "rows": table.num_rows,
        "rows_in_window": rows,
        "days_covered": round(span / DAY, 3),
        "reference": "production profile" if profile else "none (first run: no production)",
        "failures": [asdict(f) for f in findings],
        "features": features,
    }


def _feature_entry(drift: FeatureDrift) -> dict[str, Any]:
    return {
        "psi": drift.psi,
        "null_rate": drift.null_rate,
        "training_null_rate": drift.training_null_rate,
        "out_of_range_rate": drift.out_of_range_rate,
        "unseen_rate": drift.unseen_rate,
        "status": drift.status,
    }


def summary(report: dict[str, Any]) -> str:
    """One line per failure, the feature named first: what a person reads in the log."""
    lines = [Finding(**f).line() for f in report["failures"]]
    head = f"{report['model']}: data validation failed ({len(lines)} problem(s))"
    return "\n".join([head, *(f"  {line}" for line in lines)])


def run(stage: Stage) -> str:
    """Validate, write the report, and on failure alert (when configured) and fail the stage."""
    report = validate(stage)
    stage.write_json(layout.VALIDATION, report)
    if report["passed"]:
        return f"{report['model']}: data valid ({report['rows_in_window']} rows in the window)"
    text = summary(report)
    paged = alert_on_call(stage, report, text)
    raise StageFailed(text + (f"\n{paged}" if paged else ""))
