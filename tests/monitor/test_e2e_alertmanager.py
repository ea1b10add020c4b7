"""Notifications as a person receives them: the generated Alertmanager
configuration, run by the real Alertmanager, posting to a local stand-in for
PagerDuty Events v2 and for a Slack webhook.

Alerts are posted to Alertmanager's API with the labels and annotations the
generated rules give them, written out here by hand. The expected texts are
written by hand too: what a person on call should read.
"""

from __future__ import annotations

import json
import subprocess
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from controlplane.compile import compile_paths
from controlplane.render.monitoring import ALERTMANAGER, render
from controlplane.render.monitoring.yamlio import loads
from tests.conftest import require_tool
from tests.monitor.prometheus_stack import Receiver, free_port, process, wait_for
from tests.render.oncall_specs import DYNAMIC, EXPERIMENTAL, HIGH, TEAM, write_oncall_specs

pytestmark = pytest.mark.realtool

ROUTING_KEYS = {
    HIGH: "e2e-card-fraud-key-0123456789",
    EXPERIMENTAL: "e2e-churn-lab-key-abcdef",
    DYNAMIC: "e2e-loan-default-key-fedcba",
}
TIERS = {HIGH: "critical", EXPERIMENTAL: "experimental", DYNAMIC: "standard"}
DRIFT_CRITICAL, DRIFT_WARNING = "MLCPFeatureDriftCritical", "MLCPFeatureDriftWarning"
LATENCY = "MLCPLatencyP99AboveSLA"
BURN = "MLCPErrorBudgetBurn"
Alert = dict[str, Any]


def drift(model: str, feature: str, alertname: str = DRIFT_CRITICAL) -> Alert:
    critical = alertname == DRIFT_CRITICAL
    return {
        "labels": {
            "alertname": alertname,
            "model": model,
            "feature": feature,
            "severity": "page" if critical else "ticket",
            "team": TEAM,
            "tier": TIERS[model],
            "category": "data",
        },
        "annotations": {
            "summary": f"{model}: feature {feature} drifted ({'critical' if critical else 'warning'})",
            "description": f"PSI of feature {feature} is worst over the last 1h: 0.410.",
            "runbook_url": f"https://runbooks.example/{model}.md#{alertname.lower()}",
        },
    }


def latency(model: str) -> Alert:
    return {
        "labels": {
            "alertname": LATENCY,
            "model": model,
            "severity": "page",
            "team": TEAM,
            "tier": TIERS[model],
            "category": "system",
        },
        "annotations": {
            "summary": f"{model}: p99 latency above the SLA",
            "description": "p99 latency over 5m is 0.31s, above the 150ms SLA.",
            "runbook_url": f"https://runbooks.example/{model}.md#{LATENCY.lower()}",
        },
    }


def burn(model: str, long_window: str, short_window: str) -> Alert:
    return {
        "labels": {
            "alertname": BURN,
            "model": model,
            "long_window": long_window,
            "short_window": short_window,
            "severity": "page",
            "team": TEAM,
            "tier": TIERS[model],
            "category": "system",
        },
        "annotations": {
            "summary": f"{model}: error budget burning fast",
            "description": f"Burn rate over {long_window} and {short_window} is 14.4x.",
            "runbook_url": f"https://runbooks.example/{model}.md#{BURN.lower()}",
        },
    }


@dataclass
class Stack:
    url: str
    receiver: Receiver

    def post(self, *alerts: Alert, resolved: bool = False) -> None:
        now = datetime.now(UTC)
        stamped = [
            {
                **alert,
                "startsAt": (now - timedelta(minutes=5)).isoformat(),
                **({"endsAt": (now - timedelta(seconds=1)).isoformat()} if resolved else {}),
            }
            for alert in alerts
        ]
        request = urllib.request.Request(
            f"{self.url}/api/v2/alerts",
            data=json.dumps(stamped).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=5) as answer:
            assert answer.status == 200

    def page(self, what: str, match: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        found = wait_for(what, lambda: next((e for e in self.receiver.events if match(e)), None))
        return found

    def slack(self, what: str, match: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        def first() -> dict[str, Any] | None:
            for message in self.receiver.slack:
                if match(message["attachments"][0]):
                    attachment: dict[str, Any] = message["attachments"][0]
                    return attachment
            return None

        return wait_for(what, first)


def for_the_test(generated: str, receiver: Receiver, secrets: Path) -> dict[str, Any]:
    """The generated configuration with only what a test must change: the local
    receiver's URLs, key files in ``secrets`` (still files: no key is inline),
    and 1s group timers instead of 30s and 5m."""
    config: dict[str, Any] = loads(generated)
    config["route"]["group_wait"] = "1s"
    config["route"]["group_interval"] = "1s"
    slack_url_file = secrets / "slack_api_url"
    slack_url_file.write_text(receiver.slack_url)
    for entry in config["receivers"]:
        for pagerduty in entry.get("pagerduty_configs", []):
            assert "routing_key" not in pagerduty
            pagerduty["routing_key_file"] = str(secrets / Path(pagerduty["routing_key_file"]).name)
            pagerduty["url"] = receiver.url
        for slack in entry.get("slack_configs", []):
            assert "api_url" not in slack
            slack["api_url_file"] = str(slack_url_file)
    return config


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    alertmanager = require_tool("prometheus-alertmanager")
    amtool = require_tool("amtool")
    root = tmp_path_factory.mktemp("alertmanager")
    compilation = compile_paths([write_oncall_specs(root / "specs")])
    assert compilation.ok, [str(d) for d in compilation.diagnostics]
    (generated,) = [
        a.content for a in render(compilation.models, compilation.config) if a.path == ALERTMANAGER
    ]
    secrets = root / "secrets"
    secrets.mkdir()
    for name, key in ROUTING_KEYS.items():
        (secrets / f"{compilation.config.pagerduty_service_prefix}{name}").write_text(key + "\n")
    with ExitStack() as cleanup:
        receiver = Receiver()
        cleanup.callback(receiver.close)
        config_file = root / "alertmanager.yml"
        config_file.write_text(json.dumps(for_the_test(generated, receiver, secrets)))
        checked = subprocess.run(
            [amtool, "check-config", str(config_file)], capture_output=True, text=True, timeout=60
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
        port = free_port()
        cleanup.enter_context(
            process(
                [
                    alertmanager,
                    f"--config.file={config_file}",
                    f"--storage.path={root / 'data'}",
                    f"--web.listen-address=127.0.0.1:{port}",
                    "--cluster.listen-address=",
                ],
                root / "alertmanager.log",
                f"http://127.0.0.1:{port}/-/ready",
            )
        )
        yield Stack(f"http://127.0.0.1:{port}", receiver)
        # Whatever each test looked for, no event ever went out without a summary.
        for event in receiver.events:
            if event["event_action"] == "trigger":
                assert event["payload"]["summary"].strip(), event


def triggered(key: str, summary_start: str) -> Callable[[dict[str, Any]], bool]:
    return lambda e: (
        e["routing_key"] == key
        and e["event_action"] == "trigger"
        and e["payload"]["summary"].startswith(summary_start)
    )


def test_a_group_of_two_drifted_features_pages_with_both_named(stack: Stack) -> None:
    stack.post(drift(HIGH, "amount"), drift(HIGH, "country"))
    grouped = triggered(ROUTING_KEYS[HIGH], f"{HIGH}: 2 alerts firing: {DRIFT_CRITICAL}")
    event = stack.page("the grouped page", grouped)
    payload = event["payload"]
    assert payload["summary"] == (
        "card-fraud: 2 alerts firing: MLCPFeatureDriftCritical (amount, country)"
    )
    assert payload["severity"] == "critical"
    details = payload["custom_details"]
    # Every member, with its own summary and description ...
    assert "[firing] card-fraud: feature amount drifted (critical)" in details["alerts"]
    assert "[firing] card-fraud: feature country drifted (critical)" in details["alerts"]
    assert details["alerts"].count("PSI of") == 2
    # ... besides Alertmanager's own label listing and counts.
    assert "feature = amount" in details["firing"] and "feature = country" in details["firing"]
    assert details["num_firing"] == "2"
    runbook = "https://runbooks.example/card-fraud.md#mlcpfeaturedriftcritical"
    assert [link["href"] for link in event["links"]] == [runbook]

    stack.post(drift(HIGH, "amount"), drift(HIGH, "country"), resolved=True)
    resolved = stack.page(
        "the resolution",
        lambda e: e["event_action"] == "resolve" and e["dedup_key"] == event["dedup_key"],
    )
    assert resolved["routing_key"] == ROUTING_KEYS[HIGH]


def test_a_group_half_resolved_names_what_still_fires(stack: Stack) -> None:
    """Members that share their summary differ by their labels: the windows here."""
    fast, slow = burn(HIGH, "1h", "5m"), burn(HIGH, "6h", "30m")
    stack.post(fast, slow)
    first = stack.page(
        "the burn page", triggered(ROUTING_KEYS[HIGH], f"{HIGH}: 2 alerts firing: {BURN}")
    )
    assert first["payload"]["summary"] == (
        "card-fraud: 2 alerts firing: MLCPErrorBudgetBurn (1h 5m, 6h 30m)"
    )
    stack.post(slow, resolved=True)
    stack.post(fast)
    update = stack.page(
        "the update", triggered(ROUTING_KEYS[HIGH], f"{HIGH}: 1 alert firing: {BURN}")
    )
    assert update["dedup_key"] == first["dedup_key"]
    assert update["payload"]["summary"] == (
        "card-fraud: 1 alert firing: MLCPErrorBudgetBurn (1h 5m), 1 resolved"
    )


def test_one_alert_alone_pages_with_its_own_summary(stack: Stack) -> None:
    stack.post(latency(HIGH))
    event = stack.page("the latency page", triggered(ROUTING_KEYS[HIGH], f"{HIGH}: p99"))
    assert event["payload"]["summary"] == "card-fraud: p99 latency above the SLA"
    assert event["payload"]["severity"] == "critical"
    assert (
        "[firing] card-fraud: p99 latency above the SLA"
        in (event["payload"]["custom_details"]["alerts"])
    )


def test_a_slack_ticket_group_has_a_meaningful_title_firing_and_resolved(stack: Stack) -> None:
    tickets = (drift(HIGH, "amount", DRIFT_WARNING), drift(HIGH, "country", DRIFT_WARNING))
    stack.post(*tickets)
    firing = stack.slack("the Slack ticket", lambda a: DRIFT_WARNING in a["title"])
    assert firing["title"] == (
        "[FIRING:2] card-fraud: 2 alerts firing: MLCPFeatureDriftWarning (amount, country)"
    )
    assert "[firing] card-fraud: feature amount drifted (warning)" in firing["text"]
    assert "[firing] card-fraud: feature country drifted (warning)" in firing["text"]

    stack.post(*tickets, resolved=True)
    resolved = stack.slack("the Slack resolution", lambda a: a["title"].startswith("[RESOLVED]"))
    assert resolved["title"] == (
        "[RESOLVED] card-fraud: 2 alerts resolved: MLCPFeatureDriftWarning (amount, country)"
    )
    assert "[resolved] card-fraud: feature country drifted (warning)" in resolved["text"]


@pytest.mark.parametrize(
    ("alert", "summary", "severity"),
    [
        # The experimental tier's urgency is low: a page is a low-urgency incident.
        (drift(EXPERIMENTAL, "amount"), "churn-lab: feature amount drifted (critical)", "warning"),
        (latency(EXPERIMENTAL), "churn-lab: p99 latency above the SLA", "warning"),
        # Without a Slack channel, a ticket is an `info` event on the same service.
        (
            drift(EXPERIMENTAL, "mcc", DRIFT_WARNING),
            "churn-lab: feature mcc drifted (warning)",
            "info",
        ),
        # Dynamic: data waits for working hours, the service does not.
        (drift(DYNAMIC, "amount"), "loan-default: feature amount drifted (critical)", "warning"),
        (latency(DYNAMIC), "loan-default: p99 latency above the SLA", "critical"),
    ],
)
def test_urgency_decides_the_pagerduty_severity(
    stack: Stack, alert: Alert, summary: str, severity: str
) -> None:
    stack.post(alert)
    key = ROUTING_KEYS[alert["labels"]["model"]]
    event = stack.page(summary, triggered(key, summary))
    assert (event["payload"]["summary"], event["payload"]["severity"]) == (summary, severity)
