"""`mlcp postmortem` against a real Prometheus on loopback, and its failure paths.

Prometheus loads the rule file `mlcp build` generates for a small spec (modelled
on the fraud-detector example, as the end-to-end monitoring test does) and
scrapes the real exporter. The exporter reports requests slower than the p99
SLA, so `MLCPLatencyP99AboveSLA` fires (its `for` set to 0s, the one change a
bounded test needs). The postmortem's times are checked against what the test
itself saw and against Prometheus's own `ALERTS_FOR_STATE`.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import Any

import pytest
from prometheus_client import start_http_server

from controlplane.compile import compile_paths
from controlplane.monitor import ModelMonitor, build_profile
from controlplane.render.monitoring import PROMETHEUS, render
from controlplane.render.monitoring.yamlio import loads
from tests.conftest import SPECS, require_tool
from tests.monitor.prometheus_stack import PrometheusApi, free_port, process, wait_for
from tests.monitor.test_e2e_prometheus import SERVED, check, frame, write_specs
from tests.render.markdown_doc import tables
from tests.spec.clirun import run_mlcp

ALERT = "MLCPLatencyP99AboveSLA"
SLOW = 0.5  # seconds: far above the spec's 150ms p99


@dataclass
class Stack:
    specs: Path
    prometheus: PrometheusApi
    monitor: ModelMonitor


def rules_with_no_wait(generated: str) -> dict[str, Any]:
    rules: dict[str, Any] = loads(generated)
    changed = 0
    for group in rules["groups"]:
        for rule in group["rules"]:
            if rule.get("alert") == ALERT:
                rule["for"] = "0s"
                changed += 1
    assert changed == 1
    return rules


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    prometheus, promtool = require_tool("prometheus"), require_tool("promtool")
    write_specs(tmp_path / "specs")
    compilation = compile_paths([tmp_path / "specs"])
    assert compilation.ok, [str(d) for d in compilation.diagnostics]
    model = next(m for m in compilation.models if m.name == SERVED)
    generated = {a.path: a.content for a in render(compilation.models, compilation.config)}
    rule_file = tmp_path / "rules.yml"
    rule_file.write_text(
        json.dumps(rules_with_no_wait(generated[f"{PROMETHEUS}/{SERVED}.rules.yml"]))
    )
    check(promtool, "check", "rules", str(rule_file))
    monitor = ModelMonitor(model, build_profile(frame(500, seed=1), model))
    with ExitStack() as cleanup:
        exporter = free_port()
        server, _ = start_http_server(exporter, addr="127.0.0.1", registry=monitor.registry)
        cleanup.callback(server.server_close)
        cleanup.callback(server.shutdown)
        port = free_port()
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(rule_file)],
            "scrape_configs": [
                {"job_name": "mlcp", "static_configs": [{"targets": [f"127.0.0.1:{exporter}"]}]}
            ],
        }
        (tmp_path / "prometheus.yml").write_text(json.dumps(config))
        cleanup.enter_context(
            process(
                [
                    prometheus,
                    f"--config.file={tmp_path / 'prometheus.yml'}",
                    f"--storage.tsdb.path={tmp_path / 'prom-data'}",
                    f"--web.listen-address=127.0.0.1:{port}",
                ],
                tmp_path / "prometheus.log",
                f"http://127.0.0.1:{port}/-/ready",
            )
        )
        yield Stack(tmp_path / "specs", PrometheusApi(port), monitor)


def field_rows(text: str) -> dict[str, str]:
    return {row[0]: row[1] for row in tables(text)[0][1:]}


def when(shown: str) -> float:
    return datetime.strptime(shown, "%Y-%m-%d %H:%M:%S UTC").replace(tzinfo=UTC).timestamp()


@pytest.mark.realtool
def test_postmortem_is_prefilled_from_the_first_firing(stack: Stack, tmp_path: Path) -> None:
    firing = f'ALERTS{{alertname="{ALERT}", model="{SERVED}", alertstate="firing"}}'
    wait_for("the first scrape", lambda: stack.prometheus.query("up == 1") or None)
    since = time.time()
    for _ in range(50):
        stack.monitor.record_latency(SLOW)
    wait_for("the alert to fire", lambda: stack.prometheus.query(firing) or None, timeout=30)
    seen = time.time()
    # Prometheus's own record of when the condition first held.
    active = float(
        stack.prometheus.query(f'ALERTS_FOR_STATE{{alertname="{ALERT}"}}')[0]["value"][1]
    )
    time.sleep(2)  # some samples after the first firing
    out = tmp_path / "postmortem.md"
    url = stack.prometheus.base
    stamp = datetime.fromtimestamp(since - 5, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    done = run_mlcp(
        [
            "postmortem",
            SERVED,
            "--alert",
            ALERT,
            "--since",
            stamp,
            "--prometheus",
            url,
            "--around",
            "30s",
            "--specs",
            str(stack.specs),
            "--out",
            str(out),
        ]
    )
    assert done.code == 0, done.stderr
    assert done.stderr == f"wrote {out.as_posix()}\n"
    text = out.read_text(encoding="utf-8")
    fields = field_rows(text)
    assert fields["alert"] == f"{ALERT} (page)"
    assert fields["metric degraded"] == "> 150ms over 5m"  # the spec's p99, the SLA window
    started, detected = when(fields["started"]), when(fields["detected"])
    assert abs(started - int(active)) <= 1
    assert since - 1 <= started <= detected <= seen + 1
    waited = re.fullmatch(r"(?:(\d+)m )?(\d+)s", fields["time to detect"])
    assert waited, fields["time to detect"]
    seconds = int(waited.group(1) or 0) * 60 + int(waited.group(2))
    assert abs(seconds - (detected - started)) <= 1
    series = re.search(r"\*\*`(mlcp:latency_p99:5m\{[^`]*\})`\*\* around", text)
    assert series, text
    assert f'model="{SERVED}"' in series.group(1)
    values = tables(text)[1]
    assert values[0] == ["time", "value"]
    after = [float(v) for t, v in values[1:] if when(t) >= detected]
    assert after and all(v > 0.15 for v in after), values


@pytest.mark.realtool
def test_an_alert_that_did_not_fire_says_so(stack: Stack) -> None:
    wait_for("the first scrape", lambda: stack.prometheus.query("up == 1") or None)
    done = run_mlcp(
        [
            "postmortem",
            SERVED,
            "--alert",
            "MLCPModelBroken",
            "--since",
            "1m",
            "--prometheus",
            stack.prometheus.base,
            "--specs",
            str(stack.specs),
        ]
    )
    assert done.code == 0, done.stderr
    assert f"> MLCPModelBroken of {SERVED} did not fire between " in done.stdout
    assert field_rows(done.stdout)["detected"] == "when the alert first fired (UTC)"


# --- failure paths: one line, exit 2 ---------------------------------------------------------


def refused(args: list[str]) -> str:
    done = run_mlcp(["postmortem", *args])
    assert done.code == 2, done
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    return done.stderr


def test_prometheus_unreachable() -> None:
    port = free_port()
    line = refused(
        [
            "fraud-detector",
            "--alert",
            ALERT,
            "--since",
            "6h",
            "--prometheus",
            f"http://127.0.0.1:{port}",
            "--specs",
            str(SPECS),
        ]
    )
    assert line.startswith(f"mlcp postmortem: cannot reach Prometheus at http://127.0.0.1:{port}: ")


def test_unknown_alert() -> None:
    line = refused(
        ["fraud-detector", "--alert", "MLCPLatencyP99", "--since", "6h", "--specs", str(SPECS)]
    )
    assert line.startswith(
        "mlcp postmortem: fraud-detector has no alert named 'MLCPLatencyP99'; "
        "did you mean MLCPLatencyP99AboveSLA? its alerts: MLCPLatencyP50AboveSLA, "
    )


def test_unknown_model() -> None:
    line = refused(["fraud-detektor", "--alert", ALERT, "--since", "6h", "--specs", str(SPECS)])
    assert line == (
        f"mlcp postmortem: no valid model named 'fraud-detektor' under {SPECS} "
        "(known: demand-forecast, fraud-detector, recommender)\n"
    )


@pytest.mark.parametrize("since", ["yesterday", "2026-13-40T00:00:00Z"])
def test_a_since_that_is_no_time(since: str) -> None:
    line = refused(["fraud-detector", "--alert", ALERT, "--since", since, "--specs", str(SPECS)])
    assert line == (
        "mlcp postmortem: --since: expected a time such as 2026-11-30T08:00:00Z or a duration "
        f"such as 6h, got '{since}'\n"
    )


def test_without_prometheus_the_template_names_the_alert_and_its_bar() -> None:
    done = run_mlcp(
        [
            "postmortem",
            "recommender",
            "--alert",
            "MLCPProxyMetricBroken",
            "--since",
            "6h",
            "--specs",
            str(SPECS),
        ]
    )
    assert done.code == 0, done.stderr
    fields = field_rows(done.stdout)
    assert fields["alert"] == "MLCPProxyMetricBroken (page)"
    # specs/recommender.yaml: ctr, min 2%, window 6h.
    assert fields["metric degraded"] == "metric=ctr: < 2% over 6h"
    assert fields["started"] == "when the metric first crossed its bar (UTC)"


def test_a_server_that_is_not_prometheus() -> None:
    class NotFound(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(404)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html>no such page</html>")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), NotFound)
    Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        line = refused(
            [
                "fraud-detector",
                "--alert",
                ALERT,
                "--since",
                "6h",
                "--prometheus",
                url,
                "--specs",
                str(SPECS),
            ]
        )
    finally:
        server.shutdown()
        server.server_close()
    assert line == (
        f"mlcp postmortem: Prometheus at {url} answered HTTP 404 to /api/v1/query_range: "
        "is it Prometheus?\n"
    )
