"""The Alertmanager configuration: a route per model, pages to its PagerDuty
service, tickets to the team's low-urgency channel, and the inhibitions."""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from typing import Any

from controlplane import contract
from controlplane.alerts import DECLARATIONS
from controlplane.model import Config, Model
from controlplane.render.monitoring import promql
from controlplane.render.monitoring.yamlio import dumps

# Secrets are files mounted next to Alertmanager, never values in this file.
PAGERDUTY_KEY_FILE = "/etc/alertmanager/secrets/pagerduty/{service}"
SLACK_URL_FILE = "/etc/alertmanager/secrets/slack/api_url"
UNROUTED = "mlcp-unrouted"  # alerts without a known model: kept visible in the UI, sent nowhere

PAGE_TEXT = "{{ .CommonAnnotations.summary }}"
TICKET_TITLE = "[{{ .Status | toUpper }}] {{ .CommonAnnotations.summary }}"
TICKET_TEXT = (
    "{{ range .Alerts }}{{ .Annotations.description }}\n"
    "Runbook: {{ .Annotations.runbook_url }}\n{{ end }}"
)


def matcher(label: str, value: str) -> str:
    return f"{label}={promql.string(value)}"


def service(model: Model, config: Config) -> str:
    """The PagerDuty service of a model (the on-call renderer creates it under this name)."""
    return f"{config.pagerduty_service_prefix}{model.name}"


def pagerduty(model: Model, config: Config, severity: str) -> dict[str, Any]:
    return {
        "routing_key_file": PAGERDUTY_KEY_FILE.format(service=service(model, config)),
        "severity": severity,
        "description": PAGE_TEXT,
        "send_resolved": True,
        "links": [{"href": "{{ .CommonAnnotations.runbook_url }}", "text": "runbook"}],
    }


def receivers(model: Model, config: Config) -> list[dict[str, Any]]:
    page = {
        "name": f"{model.name}-page",
        "pagerduty_configs": [pagerduty(model, config, "critical")],
    }
    ticket: dict[str, Any] = {"name": f"{model.name}-ticket"}
    if model.oncall.slack:
        ticket["slack_configs"] = [
            {
                "api_url_file": SLACK_URL_FILE,
                "channel": promql.literal_text(model.oncall.slack),
                "send_resolved": True,
                "title": TICKET_TITLE,
                "text": TICKET_TEXT,
            }
        ]
    else:  # no channel: a low-urgency PagerDuty event (severity "warning") on the same service
        ticket["pagerduty_configs"] = [pagerduty(model, config, "warning")]
    return [page, ticket]


def route(model: Model) -> dict[str, Any]:
    severity = contract.SEVERITY
    return {
        "matchers": [matcher(contract.MODEL, model.name)],
        "receiver": f"{model.name}-ticket",
        "routes": [
            {
                "matchers": [matcher(severity, "page")],
                "receiver": f"{model.name}-page",
                "repeat_interval": "1h",
            },
            {
                "matchers": [matcher(severity, "ticket")],
                "receiver": f"{model.name}-ticket",
                "repeat_interval": "12h",
            },
        ],
    }


def inhibitions() -> list[dict[str, Any]]:
    """The inhibitions the alert declarations make, each once per alert name."""
    rules: list[dict[str, Any]] = []
    for declaration in DECLARATIONS:
        for inhibition in declaration.inhibits:
            rule = {
                "source_matchers": [matcher("alertname", declaration.name)],
                "target_matchers": [matcher(label, value) for label, value in inhibition.target],
                "equal": list(inhibition.equal),
            }
            if rule not in rules:
                rules.append(rule)
    return rules


def config_data(models: Sequence[Model], config: Config) -> dict[str, Any]:
    ordered = sorted(models, key=lambda m: m.name)
    return {
        "route": {
            "receiver": UNROUTED,
            "group_by": [contract.MODEL, "alertname"],
            "group_wait": "30s",
            "group_interval": "5m",
            "repeat_interval": "4h",
            "routes": [route(m) for m in ordered],
        },
        "inhibit_rules": inhibitions(),
        "receivers": [{"name": UNROUTED}, *[r for m in ordered for r in receivers(m, config)]],
    }


def specs_folder(models: Sequence[Model]) -> str:
    folders = sorted({posixpath.dirname(m.source) for m in models})
    return (folders[0] if len(folders) == 1 and folders[0] else "specs") + "/"


def render_alertmanager(models: Sequence[Model], config: Config) -> str:
    return dumps(config_data(models, config), specs_folder(models))
