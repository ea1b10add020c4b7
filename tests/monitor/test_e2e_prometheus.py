"""What `mlcp build` ships, run by a real Prometheus and Alertmanager against the real exporter.

Two specs are compiled (the exporter serves only the first) and rendered with
``controlplane.render.monitoring``; Prometheus loads the generated rule files and
scrapes a ``ModelMonitor``, Alertmanager runs the generated configuration, and a
local receiver stands in for PagerDuty's Events v2 API.

The drift window is 5m, the shortest a spec may declare, and longer than the
test, so every ``rate()`` window starts at the all-zero samples of the
pre-created series. The extrapolation of ``rate()`` is then the same for every
bin of a feature, the shares are exactly the shares of everything the exporter
was fed, and the recorded PSI must equal what ``drift.py`` computes on it.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from prometheus_client import start_http_server

from controlplane import contract
from controlplane.compile import compile_paths
from controlplane.model import Model
from controlplane.monitor import ModelMonitor, build_profile, compute_drift
from controlplane.render.monitoring import ALERTMANAGER, PROMETHEUS, render
from controlplane.render.monitoring.yamlio import loads
from tests.conftest import SPECS, require_tool
from tests.monitor.prometheus_stack import (
    PrometheusApi,
    Receiver,
    free_port,
    http_json,
    process,
    wait_for,
)

WINDOW = "5m"
PSI = contract.recorded(contract.REC_FEATURE_PSI, WINDOW)
SERVED = "card-fraud"  # the model the exporter serves
QUIET = "loan-default"  # compiled, routed and ruled, but no exporter: routing must tell them apart
DRIFTED = "amount"
UNDRIFTED = ("age", "country", "channel")
ROUTING_KEYS = {
    SERVED: "e2e-card-fraud-key-0123456789abcdef",
    QUIET: "e2e-loan-default-key-fedcba98",
}
COUNTRIES, COUNTRY_SHARES = ["US", "FR", "DE", "GB"], [0.4, 0.3, 0.2, 0.1]


def write_specs(folder: Path) -> None:
    """specs/mlcp.yaml as it is, and two small specs modelled on specs/fraud-detector.yaml."""
    folder.mkdir()
    shutil.copy(SPECS / "mlcp.yaml", folder / "mlcp.yaml")
    example = loads((SPECS / "fraud-detector.yaml").read_text())
    for name in (SERVED, QUIET):
        spec = copy.deepcopy(example)
        spec["metadata"]["name"] = name
        spec["features"]["numeric"] = [DRIFTED, "age"]
        spec["features"]["categorical"] = ["country", "channel"]
        spec["drift"]["windows"] = [WINDOW]
        # JSON is YAML: the specs are written as data, never as text templates.
        (folder / f"{name}.yaml").write_text(json.dumps(spec, indent=2))


def frame(rows: int, *, seed: int, amount_scale: float = 1.0, amount_nulls: float = 0) -> pa.Table:
    """Rows for the test specs' features; only ``amount`` moves (scaled, some of it null)."""
    rng = np.random.default_rng(seed)
    amount = rng.lognormal(3.0, 1.0, rows) * amount_scale
    amount[rng.random(rows) < amount_nulls] = np.nan
    return pa.table(
        {
            DRIFTED: pa.array(amount, from_pandas=True),
            "age": rng.integers(0, 3650, rows),
            "country": rng.choice(COUNTRIES, rows, p=COUNTRY_SHARES),
            "channel": rng.choice(["web", "app", "pos"], rows),
        }
    )


def rules_for_the_test(generated: str) -> dict[str, Any]:
    """The generated rule file with the one change a bounded test needs.

    `MLCPFeatureDriftCritical` ships with `for: 15m`; here it is `0s`, so the
    page comes seconds after the PSI crosses the threshold. Every expression,
    label, annotation and every other alert's `for:` is as `mlcp build` writes it.
    """
    rules: dict[str, Any] = loads(generated)
    changed = 0
    for group in rules["groups"]:
        for rule in group["rules"]:
            if rule.get("alert") == contract.ALERT_DRIFT_CRITICAL:
                rule["for"] = "0s"
                changed += 1
    assert changed == 1 + len(UNDRIFTED), "one critical drift alert per feature"
    return rules


def alertmanager_for_the_test(generated: str, receiver_url: str, secrets: Path) -> dict[str, Any]:
    """The generated Alertmanager configuration with only what a test must change.

    PagerDuty is the local receiver, and each routing key is read from the file
    of the same name in ``secrets`` instead of /etc/alertmanager/secrets/pagerduty;
    group_wait 30s and group_interval 5m become 1s. Routes, matchers, receivers,
    inhibitions and everything else are as generated. (The Slack ticket receivers
    keep their shipped api_url_file: no ticket alert can fire within the test,
    their `for:` being as shipped.)
    """
    config: dict[str, Any] = loads(generated)
    config["route"]["group_wait"] = "1s"
    config["route"]["group_interval"] = "1s"
    changed = 0
    for receiver in config["receivers"]:
        for pagerduty in receiver.get("pagerduty_configs", []):
            key_file = secrets / Path(pagerduty["routing_key_file"]).name
            assert key_file.is_file(), f"no test key for {pagerduty['routing_key_file']}"
            pagerduty["routing_key_file"] = str(key_file)
            pagerduty["url"] = receiver_url
            changed += 1
    assert changed == len(ROUTING_KEYS), "one PagerDuty service per model"
    return config


def prometheus_config(rule_files: list[Path], exporter: int, alertmanager: int) -> dict[str, Any]:
    return {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(f) for f in rule_files],
        "alerting": {
            "alertmanagers": [{"static_configs": [{"targets": [f"127.0.0.1:{alertmanager}"]}]}]
        },
        "scrape_configs": [
            {"job_name": "mlcp", "static_configs": [{"targets": [f"127.0.0.1:{exporter}"]}]}
        ],
    }


def check(*args: str) -> None:
    done = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"{' '.join(args)}:\n{done.stdout}{done.stderr}"


@dataclass
class Stack:
    model: Model
    monitor: ModelMonitor
    prometheus: PrometheusApi
    alertmanager: str
    receiver: Receiver


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    prometheus = require_tool("prometheus")
    promtool = require_tool("promtool")
    alertmanager = require_tool("prometheus-alertmanager")
    amtool = require_tool("amtool")

    write_specs(tmp_path / "specs")
    compilation = compile_paths([tmp_path / "specs"])
    assert compilation.ok, [str(d) for d in compilation.diagnostics]
    models = {m.name: m for m in compilation.models}
    assert models[SERVED].drift.windows == (300.0,)
    generated = {a.path: a.content for a in render(compilation.models, compilation.config)}

    rule_files = []
    for name in (SERVED, QUIET):
        path = tmp_path / f"{name}.rules.yml"
        path.write_text(json.dumps(rules_for_the_test(generated[f"{PROMETHEUS}/{name}.rules.yml"])))
        check(promtool, "check", "rules", str(path))
        rule_files.append(path)
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    for name, key in ROUTING_KEYS.items():
        # Named after the model's PagerDuty service, as the shipped key file is.
        (secrets / f"{compilation.config.pagerduty_service_prefix}{name}").write_text(key + "\n")

    model = models[SERVED]
    monitor = ModelMonitor(model, build_profile(frame(5000, seed=1), model))
    with ExitStack() as cleanup:
        exporter_port = free_port()
        server, _ = start_http_server(exporter_port, addr="127.0.0.1", registry=monitor.registry)
        cleanup.callback(server.server_close)
        cleanup.callback(server.shutdown)
        receiver = Receiver()
        cleanup.callback(receiver.close)
        am_port, prom_port = free_port(), free_port()
        am_config = alertmanager_for_the_test(generated[ALERTMANAGER], receiver.url, secrets)
        (tmp_path / "alertmanager.yml").write_text(json.dumps(am_config))
        (tmp_path / "prometheus.yml").write_text(
            json.dumps(prometheus_config(rule_files, exporter_port, am_port))
        )
        check(promtool, "check", "config", str(tmp_path / "prometheus.yml"))
        check(amtool, "check-config", str(tmp_path / "alertmanager.yml"))
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
        yield Stack(
            model, monitor, PrometheusApi(prom_port), f"http://127.0.0.1:{am_port}", receiver
        )


def recorded_psi_matches(stack: Stack, fed: pa.Table) -> dict[str, float]:
    """Wait until every feature's recorded PSI equals drift.py's on ``fed``; return them.

    The rules sum the bins in another order than numpy, so equality is to 1e-9.
    """
    report = compute_drift(fed, stack.model, stack.monitor.profile)
    expected = {f.feature: f.psi for f in report.features}

    def agreed() -> dict[str, float] | None:
        recorded = stack.prometheus.by_feature(f'{PSI}{{model="{SERVED}", window="{WINDOW}"}}')
        close = recorded.keys() == expected.keys() and all(
            abs(recorded[k] - v) <= 1e-9 + 1e-9 * abs(v) for k, v in expected.items()
        )
        return recorded if close else None

    wait_for(f"recorded PSI to equal {expected}", agreed, timeout=20)
    return expected


def alerts(stack: Stack, selector: str) -> list[dict[str, str]]:
    return [r["metric"] for r in stack.prometheus.query(f"ALERTS{{{selector}}}")]


@pytest.mark.realtool
def test_generated_rules_and_routes_page_on_drift_of_the_real_exporter(stack: Stack) -> None:
    model, served = stack.model, f'model="{SERVED}"'
    # Every pre-created bin series is scraped at zero before any value arrives.
    values = f"{contract.FEATURE_VALUES_TOTAL}{{{served}}}"
    wait_for("the zero samples", lambda: stack.prometheus.query(values) or None)
    assert all(float(r["value"][1]) == 0 for r in stack.prometheus.query(values))

    reference_like = frame(3000, seed=2)
    stack.monitor.observe_batch(reference_like)
    calm = recorded_psi_matches(stack, reference_like)
    assert all(calm[f.name] < f.psi.warn for f in model.features), calm
    assert alerts(stack, served) == []
    # The model without an exporter is seen as such (pending: its `for:` is as shipped).
    quiet = alerts(stack, f'model="{QUIET}"')
    assert [(a["alertname"], a["alertstate"]) for a in quiet] == [
        (contract.ALERT_MONITOR_ABSENT, "pending")
    ]

    # Training saw no null amount: the null bin's reference share is floored at epsilon,
    # so the recorded PSI agrees with drift.py only if both floor the same way.
    drifted = frame(6000, seed=3, amount_scale=4.0, amount_nulls=0.02)
    for row in drifted.to_pylist():
        stack.monitor.observe(row)
    stormy = recorded_psi_matches(stack, pa.concat_tables([reference_like, drifted]))
    assert stormy[DRIFTED] >= model.feature(DRIFTED).psi.critical, stormy
    assert all(stormy[f] < model.feature(f).psi.warn for f in UNDRIFTED), stormy

    critical = f'alertname="{contract.ALERT_DRIFT_CRITICAL}", alertstate="firing"'
    firing = wait_for("the critical drift alert", lambda: alerts(stack, critical) or None)
    assert [(a["model"], a["feature"]) for a in firing] == [(SERVED, DRIFTED)]
    assert firing[0][contract.SEVERITY] == "page"
    assert firing[0][contract.TEAM] == model.team
    # One alert per feature whatever window is worst; its description names that window.
    assert contract.WINDOW not in firing[0]

    summary = f"{SERVED}: feature {DRIFTED} drifted (critical)"
    wait_for("the page", lambda: stack.receiver.events or None, timeout=20)
    for event in list(stack.receiver.events):
        assert event["routing_key"] == ROUTING_KEYS[SERVED]
        assert event["event_action"] == "trigger"
        assert event["payload"]["severity"] == "critical"
        assert event["payload"]["summary"] == summary
        details = event["payload"]["custom_details"]["firing"]
        assert f"alertname = {contract.ALERT_DRIFT_CRITICAL}" in details
        assert f"model = {SERVED}" in details
        assert f"feature = {DRIFTED}" in details
        assert not any(f"feature = {f}" in details for f in UNDRIFTED), details
        runbook = f"{SERVED}.md#{contract.runbook_anchor(contract.ALERT_DRIFT_CRITICAL)}"
        assert [link["href"].endswith(runbook) for link in event["links"]] == [True]

    # Alertmanager routed it to the model's page receiver, and nothing pages for the rest.
    routed = http_json(f"{stack.alertmanager}/api/v2/alerts?active=true")
    pages = [a for a in routed if a["labels"].get(contract.SEVERITY) == "page"]
    assert [(a["labels"]["alertname"], a["labels"].get("feature")) for a in pages] == [
        (contract.ALERT_DRIFT_CRITICAL, DRIFTED)
    ]
    assert [r["name"] for r in pages[0]["receivers"]] == [f"{SERVED}-page"]
    assert f"worst over the last {WINDOW}:" in pages[0]["annotations"]["description"]
    assert alerts(stack, f'{served}, feature!="{DRIFTED}"') == []
