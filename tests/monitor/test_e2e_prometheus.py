"""The exporter scraped by a real Prometheus, whose PSI alert reaches a real Alertmanager.

The window of the test rules is longer than the test, so it always starts with
the all-zero samples of the pre-created series; ``increase()`` then scales every
bin of a feature by the same factor, and the recorded PSI must equal what
``drift.py`` computes on everything the exporter was fed.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pyarrow as pa
import pytest
from prometheus_client import start_http_server

from controlplane import contract
from controlplane.monitor import ModelMonitor, build_profile, compute_drift
from tests.conftest import require_tool
from tests.monitor.factories import make_frame, make_model
from tests.monitor.prometheus_stack import PrometheusApi, Receiver, free_port, process, wait_for

WINDOW = "5m"  # test-only: longer than the whole test
PSI = contract.recorded(contract.REC_FEATURE_PSI, WINDOW)
SHARE = contract.recorded(contract.REC_FEATURE_BIN_SHARE, WINDOW)
ROUTING_KEY = "e2e-routing-key-0123456789abcdef"
MODEL = make_model(name="fraud-detector")


def rules(critical: float) -> dict[str, object]:
    eps = repr(contract.PSI_EPSILON)
    values = contract.FEATURE_VALUES_TOTAL
    share = (
        f"sum by (model, feature, bin) (increase({values}[{WINDOW}]))\n"
        f"/ ignoring (bin) group_left\n"
        f"sum by (model, feature) (increase({values}[{WINDOW}]))"
    )
    actual = f"clamp_min({SHARE}, {eps})"
    expected = f"clamp_min({contract.FEATURE_REFERENCE_RATIO}, {eps})"
    psi = (
        f"sum by (model, feature) (\n({actual} - on (model, feature, bin) {expected})\n"
        f"* ln({actual} / on (model, feature, bin) {expected}))"
    )
    alert = {
        "alert": contract.ALERT_DRIFT_CRITICAL,
        "expr": f"{PSI} > {critical!r}",
        "labels": {contract.SEVERITY: "page", contract.TEAM: MODEL.team},
        "annotations": {
            "summary": "{{ $labels.model }}: feature {{ $labels.feature }} drifted (PSI {{ $value }})",
            "description": f"PSI over {WINDOW} is above {critical}.",
            "runbook_url": "https://runbooks.example/fraud-detector#"
            + contract.runbook_anchor(contract.ALERT_DRIFT_CRITICAL),
        },
    }
    group = {
        "name": "mlcp-e2e",
        "interval": "1s",
        "rules": [{"record": SHARE, "expr": share}, {"record": PSI, "expr": psi}, alert],
    }
    return {"groups": [group]}


def prometheus_config(exporter: int, alertmanager: int) -> dict[str, object]:
    return {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": ["rules.yml"],
        "alerting": {
            "alertmanagers": [{"static_configs": [{"targets": [f"127.0.0.1:{alertmanager}"]}]}]
        },
        "scrape_configs": [
            {"job_name": "mlcp", "static_configs": [{"targets": [f"127.0.0.1:{exporter}"]}]}
        ],
    }


def alertmanager_config(receiver_url: str) -> dict[str, object]:
    return {
        "route": {
            "receiver": "pagerduty",
            "group_by": ["alertname", "model", "feature"],
            "group_wait": "1s",
            "group_interval": "1s",
            "repeat_interval": "1h",
        },
        "receivers": [
            {
                "name": "pagerduty",
                "pagerduty_configs": [
                    {
                        "routing_key": ROUTING_KEY,
                        "url": receiver_url,
                        "severity": "critical",
                        "send_resolved": False,
                    }
                ],
            }
        ],
    }


class Stack:
    def __init__(self, monitor: ModelMonitor, api: PrometheusApi, receiver: Receiver) -> None:
        self.monitor, self.api, self.receiver = monitor, api, receiver


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    prometheus = require_tool("prometheus")
    promtool = require_tool("promtool")
    alertmanager = require_tool("prometheus-alertmanager")
    amtool = require_tool("amtool")
    monitor = ModelMonitor(MODEL, build_profile(make_frame(5000, seed=1), MODEL))
    with ExitStack() as cleanup:
        exporter_port = free_port()
        server, _ = start_http_server(exporter_port, addr="127.0.0.1", registry=monitor.registry)
        cleanup.callback(server.server_close)
        cleanup.callback(server.shutdown)
        receiver = Receiver()
        cleanup.callback(receiver.close)
        am_port, prom_port = free_port(), free_port()
        # JSON is YAML: the configs are written as data, never as text templates.
        (tmp_path / "rules.yml").write_text(json.dumps(rules(MODEL.drift.psi.critical)))
        (tmp_path / "prometheus.yml").write_text(
            json.dumps(prometheus_config(exporter_port, am_port))
        )
        (tmp_path / "alertmanager.yml").write_text(json.dumps(alertmanager_config(receiver.url)))
        subprocess.run(
            [promtool, "check", "config", str(tmp_path / "prometheus.yml")],
            check=True,
            capture_output=True,
            timeout=60,
        )
        subprocess.run(
            [amtool, "check-config", str(tmp_path / "alertmanager.yml")],
            check=True,
            capture_output=True,
            timeout=60,
        )
        cleanup.enter_context(
            process(
                [
                    alertmanager,
                    f"--config.file={tmp_path / 'alertmanager.yml'}",
                    f"--storage.path={tmp_path / 'am-data'}",
                    f"--web.listen-address=127.0.0.1:{am_port}",
                    "--cluster.listen-address=",
                ],
                tmp_path / "alertmanager.log",
                f"http://127.0.0.1:{am_port}/-/ready",
            )
        )
        cleanup.enter_context(
            process(
                [
                    prometheus,
                    f"--config.file={tmp_path / 'prometheus.yml'}",
                    f"--storage.tsdb.path={tmp_path / 'prom-data'}",
                    f"--web.listen-address=127.0.0.1:{prom_port}",
                ],
                tmp_path / "prometheus.log",
                f"http://127.0.0.1:{prom_port}/-/ready",
            )
        )
        yield Stack(monitor, PrometheusApi(prom_port), receiver)


def recorded_psi_matches(stack: Stack, fed: pa.Table) -> dict[str, float]:
    """Wait until every feature's recorded PSI equals drift.py's on ``fed``; return them."""
    expected = {f.feature: f.psi for f in compute_drift(fed, MODEL, stack.monitor.profile).features}

    def agreed() -> dict[str, float] | None:
        recorded = stack.api.by_feature(PSI)
        close = recorded.keys() == expected.keys() and all(
            abs(recorded[k] - v) <= 1e-9 + 1e-9 * abs(v) for k, v in expected.items()
        )
        return recorded if close else None

    wait_for(f"recorded PSI to equal {expected}", agreed, timeout=30)
    return expected


@pytest.mark.realtool
def test_psi_recording_agrees_with_drift_py_and_the_alert_pages(stack: Stack) -> None:
    total = len(stack.monitor.profile.features[0].labels)
    # Every pre-created bin series is scraped at zero before any value arrives.
    wait_for("the zero samples", lambda: stack.api.query(contract.FEATURE_VALUES_TOTAL) or None)
    assert all(float(r["value"][1]) == 0 for r in stack.api.query(contract.FEATURE_VALUES_TOTAL))
    assert total > 0

    reference_like = make_frame(3000, seed=2)
    stack.monitor.observe_batch(reference_like)
    calm = recorded_psi_matches(stack, reference_like)
    assert max(calm.values()) < MODEL.drift.psi.warn
    assert stack.api.query("ALERTS") == []

    drifted = make_frame(6000, seed=3, shift=1.5, categories=("US", "XX"))
    for row in drifted.to_pylist():
        stack.monitor.observe(row)
    stormy = recorded_psi_matches(stack, pa.concat_tables([reference_like, drifted]))
    assert stormy["amount"] > MODEL.drift.psi.critical

    def paged() -> set[str] | None:
        features = {e["payload"]["custom_details"]["firing"] for e in stack.receiver.events}
        hit = {f for f in ("amount", "country") if any(f"feature = {f}" in x for x in features)}
        return hit if hit == {"amount", "country"} else None

    wait_for("PagerDuty events for amount and country", paged, timeout=45)
    event = stack.receiver.events[0]
    assert event["routing_key"] == ROUTING_KEY
    assert event["event_action"] == "trigger"
    assert event["payload"]["severity"] == "critical"
    assert contract.ALERT_DRIFT_CRITICAL in event["payload"]["summary"]
    assert "model = fraud-detector" in event["payload"]["custom_details"]["firing"]
    assert "severity = page" in event["payload"]["custom_details"]["firing"]
