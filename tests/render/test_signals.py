"""One table of data-health signals: the batch `mlcp drift` report and the
generated alerting rules (run by promtool) judge the same figures the same way,
at each threshold, just under it and just over it."""

from __future__ import annotations

import math
import subprocess
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from controlplane import contract, signals
from controlplane.alerts import declared
from controlplane.model import Feature, Model, PsiThreshold
from controlplane.monitor import ModelMonitor, build_profile, compute_drift
from controlplane.monitor.drift import judge
from controlplane.render.monitoring import promql
from controlplane.render.monitoring.rulefile import model_rules, render_rules
from tests.conftest import require_tool
from tests.monitor import factories as monitor_factories
from tests.render import factories

PSI = PsiThreshold(warn=0.1, critical=0.25)
WINDOW = "1h"  # the toy model's shortest drift window
UP, DOWN = math.inf, -math.inf

Figures = dict[str, float | None]


def at(threshold: float, towards: float = 0.0) -> float:
    """The threshold itself, or the float next to it on one side."""
    return threshold if towards == 0.0 else math.nextafter(threshold, towards)


def cases(model: Model) -> list[tuple[str, str, Figures]]:
    """(name, kind, figures): every condition at, just under and just over its threshold,
    with the signal's other conditions comfortably met."""
    drift = model.drift
    out: list[tuple[str, str, Figures]] = []
    for side, towards in (("at", 0.0), ("under", DOWN), ("over", UP)):
        out += [
            (f"psi_critical_{side}", "numeric", {"psi": at(PSI.critical, towards)}),
            (f"psi_warn_{side}", "numeric", {"psi": at(PSI.warn, towards)}),
            (
                f"null_ratio_{side}",
                "numeric",
                {
                    "null_ratio_to_training": at(drift.null_max_ratio_to_training, towards),
                    "null_rate": 0.5,
                },
            ),
            (
                f"null_floor_{side}",
                "numeric",
                {"null_ratio_to_training": 100.0, "null_rate": at(drift.null_min_rate, towards)},
            ),
            (
                f"out_of_range_{side}",
                "numeric",
                {"out_of_range_rate": at(drift.out_of_range_max_rate, towards)},
            ),
            (
                f"unseen_{side}",
                "categorical",
                {"unseen_rate": at(drift.unseen_max_rate, towards)},
            ),
        ]
    return out


# The recorded series each figure is read from by the alerting rules.
SERIES = {
    "null_ratio_to_training": contract.REC_FEATURE_NULL_VS_TRAINING,
    "null_rate": contract.REC_FEATURE_NULL_RATIO,
    "out_of_range_rate": contract.REC_FEATURE_OUT_OF_RANGE_RATIO,
    "unseen_rate": contract.REC_FEATURE_UNSEEN_RATIO,
}


def input_series(model: Model, name: str, figures: Figures) -> list[dict[str, str]]:
    """The figures as the recorded series the alerts read (promtool feeds them directly;
    the recording rules over raw counters have no input and write nothing)."""
    labels = {contract.MODEL: model.name, contract.FEATURE: name}
    series = []
    for figure, value in figures.items():
        assert value is not None
        if figure == "psi":
            metric = contract.recorded(contract.REC_FEATURE_PSI, WINDOW)
            selector = promql.selector(metric, {**labels, contract.WINDOW: WINDOW})
        else:
            selector = promql.selector(contract.recorded(SERIES[figure], WINDOW), labels)
        series.append({"series": selector, "values": f"{value!r}+0x60"})
    return series


def online_status(fired: set[str]) -> str:
    severities = {declared(name).severity for name in fired}
    return "critical" if "page" in severities else "warn" if severities else "ok"


@pytest.mark.realtool
def test_batch_and_online_judge_the_same_values_the_same_way(tmp_path: Path) -> None:
    promtool = require_tool("promtool")
    model = factories.model("boundaries", features=())
    table = cases(model)
    features = tuple(Feature(name, kind, PSI) for name, kind, _ in table)  # type: ignore[arg-type]
    model = factories.model("boundaries", features=features)
    (tmp_path / "boundaries.rules.yml").write_text(
        render_rules(model_rules(model), factories.config())
    )
    batch = {name: judge(model, name, figures)[0] for name, _, figures in table}
    # After every data alert's `for`, which alerts fire for which feature.
    query = 'count by (alertname, feature) (ALERTS{alertstate="firing", category="data"})'
    test: dict[str, Any] = {
        "rule_files": ["boundaries.rules.yml"],
        "evaluation_interval": "5m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [s for n, _, f in table for s in input_series(model, n, f)],
                "promql_expr_test": [
                    {"expr": query, "eval_time": "45m", "exp_samples": expected_samples(batch)}
                ],
            }
        ],
    }
    path = tmp_path / "boundaries.test.yml"
    path.write_text(json_dump(test))
    result = subprocess.run(
        [promtool, "test", "rules", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


# The alert each case's signal raises online.
ALERT_OF_CASE = {
    "null_ratio": contract.ALERT_NULL_RATE,
    "null_floor": contract.ALERT_NULL_RATE,
    "out_of_range": contract.ALERT_OUT_OF_RANGE,
    "unseen": contract.ALERT_UNSEEN,
}
PSI_ALERTS = {
    "critical": {contract.ALERT_DRIFT_CRITICAL, contract.ALERT_DRIFT_WARNING},
    "warn": {contract.ALERT_DRIFT_WARNING},
    "ok": set(),
}


def expected_samples(batch: dict[str, str]) -> list[dict[str, Any]]:
    """The alerts the online rules must fire if they classify as batch does.

    A PSI past critical is past warn too: both rules fire online (Alertmanager
    inhibits the warning); batch names the worse. Every other signal raises its
    own alert exactly when batch does not say ok.
    """
    samples = []
    for name, status in sorted(batch.items()):
        case = name.rsplit("_", 1)[0]
        if case.startswith("psi"):
            alerts = PSI_ALERTS[status]
        else:
            alerts = {ALERT_OF_CASE[case]} if status != "ok" else set()
        assert online_status(alerts) == status, (name, status)
        for alert in sorted(alerts):
            labels = promql.selector("", {"alertname": alert, contract.FEATURE: name})
            samples.append({"labels": labels, "value": 1})
    return samples


def json_dump(document: dict[str, Any]) -> str:
    import json

    return json.dumps(document, indent=1)


def test_batch_uses_the_comparison_of_the_table_at_each_threshold() -> None:
    """At its threshold PSI is judged (>=), the rates are not (>): as the online rules."""
    model = factories.model()
    feature = model.features[0]
    assert judge(model, feature.name, {"psi": 0.25})[0] == "critical"
    assert judge(model, feature.name, {"psi": 0.1})[0] == "warn"
    assert judge(model, feature.name, {"psi": math.nextafter(0.1, 0)})[0] == "ok"
    # Past critical, only the critical reason is named: the warning never reaches anyone.
    assert judge(model, feature.name, {"psi": 0.3}) == ("critical", ["psi 0.3000 >= 0.2500"])
    over = {"null_ratio_to_training": 2.0, "null_rate": 0.5, "out_of_range_rate": 0.01}
    assert judge(model, feature.name, over)[0] == "ok"
    # Out of range is a ticket online, so a warning in batch (not critical).
    assert judge(model, feature.name, {"out_of_range_rate": 0.02})[0] == "warn"


def test_the_null_floor_keeps_a_feature_without_training_nulls_quiet() -> None:
    model = factories.model()
    name = model.features[0].name
    tiny = {"null_ratio_to_training": 0.0002 / contract.PSI_EPSILON, "null_rate": 0.0002}
    assert judge(model, name, tiny) == ("ok", [])
    status, reasons = judge(model, name, {"null_ratio_to_training": 150.0, "null_rate": 0.015})
    assert status == "warn"
    assert reasons == ["null rate of training x150.00 > x2.00 and null rate 1.50% > 1.00%"]


def test_every_signal_has_the_severity_the_readme_promises() -> None:
    # Only critical drift pages; every other data-health signal opens a ticket.
    promised = {
        "psi_critical": "page",
        "psi_warning": "ticket",
        "null_rate": "ticket",
        "out_of_range": "ticket",
        "unseen_categories": "ticket",
    }
    assert {s.name: s.severity for s in signals.SIGNALS} == promised
    for signal in signals.SIGNALS:
        assert declared(signal.alert).severity == promised[signal.name]


# --- the out-of-range share: one denominator, batch and online -----------------------


def serving_frame() -> pa.Table:
    """1,000 rows of `amount`: 400 null, 60 far above the training range, 540 inside it.

    Out of range is a share of the values present (nulls have their own signal):
    60 / 600 = 10 %, not 60 / 1,000.
    """
    amounts = [None] * 400 + [1e6] * 60 + [50.0] * 540
    return pa.table(
        {"amount": pa.array(amounts, pa.float64()), "age": [5] * 1000, "country": ["US"] * 1000}
    )


OUT_OF_RANGE_BY_HAND = 60 / 600


def test_batch_out_of_range_is_a_share_of_the_values_present() -> None:
    model = monitor_factories.make_model()
    profile = build_profile(monitor_factories.make_frame(5000, seed=1), model)
    amount = compute_drift(serving_frame(), model, profile).feature_named("amount")
    assert amount.out_of_range_rate == pytest.approx(OUT_OF_RANGE_BY_HAND)


@pytest.mark.realtool
def test_online_out_of_range_of_the_exporters_counters_equals_batch(tmp_path: Path) -> None:
    """The same frame through the exporter; promtool runs the generated recording rule
    over the counters it exposes, and must read the share batch reads."""
    promtool = require_tool("promtool")
    model = monitor_factories.make_model()
    profile = build_profile(monitor_factories.make_frame(5000, seed=1), model)
    monitor = ModelMonitor(model, profile)
    monitor.observe_batch(serving_frame())
    text = generate_latest(monitor.registry).decode()
    wanted = {contract.FEATURE_VALUES_TOTAL, contract.FEATURE_OUT_OF_RANGE_TOTAL}
    series = [
        # Each counter grows by its final count every minute: rates in the same proportion.
        {"series": promql.selector(s.name, s.labels), "values": f"0+{s.value!r}x120"}
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name in wanted and s.labels.get(contract.FEATURE) == "amount"
    ]
    (tmp_path / "rules.yml").write_text(render_rules(model_rules(model), factories.config()))
    recorded = promql.recorded(contract.REC_FEATURE_OUT_OF_RANGE_RATIO, "1h", model.name)
    batch = compute_drift(serving_frame(), model, profile).feature_named("amount")
    expected = [
        {
            "labels": promql.selector("", {contract.MODEL: model.name, contract.FEATURE: "amount"}),
            "value": round(OUT_OF_RANGE_BY_HAND, 6),
        }
    ]
    assert batch.out_of_range_rate is not None
    assert round(batch.out_of_range_rate, 6) == round(OUT_OF_RANGE_BY_HAND, 6)
    test = {
        "rule_files": ["rules.yml"],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": series,
                "promql_expr_test": [
                    {
                        "expr": f"round({recorded}, 0.000001)",
                        "eval_time": "90m",
                        "exp_samples": expected,
                    }
                ],
            }
        ],
    }
    path = tmp_path / "oor.test.yml"
    path.write_text(json_dump(test))
    result = subprocess.run(
        [promtool, "test", "rules", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_the_figure_table_says_what_the_spec_says() -> None:
    """Written from the spec's sections, not from the table: out of range is about a
    numeric feature's values (a share of the values present: nulls have their own
    signal), unseen categories about a categorical one's rows, nulls about both."""
    expected = {
        "null_rate": (("numeric", "categorical"), "rows"),
        "out_of_range_rate": (("numeric",), "values"),
        "unseen_rate": (("categorical",), "rows"),
        "null_ratio_to_training": (("numeric", "categorical"), None),
        "psi": (("numeric", "categorical"), None),
    }
    assert {n: (f.kinds, f.denominator) for n, f in signals.FIGURES.items()} == expected
    assert signals.share("out_of_range_rate", 6, rows=100, nulls=40) == 0.1
    assert signals.share("unseen_rate", 6, rows=100, nulls=40) == 0.06
    assert signals.share("out_of_range_rate", 0, rows=5, nulls=5) is None


def test_every_figure_is_recorded_under_the_series_its_alerts_read() -> None:
    model = factories.model()
    rules = model_rules(model)
    recorded = {r.record for r in rules.drift}
    for figure in signals.FIGURES.values():
        window = contract.WORST if figure.name == "psi" else WINDOW
        assert contract.recorded(figure.series, window) in recorded, figure.name
