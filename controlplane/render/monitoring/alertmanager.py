"""The Alertmanager configuration: a route per model, pages to its PagerDuty
service at the urgency the spec declares, tickets to the team's channel, and
the inhibitions.

Urgency. PagerDuty decides an incident's urgency from the Events v2 `severity`
when the service's urgency rule is "based on alert severity" (`critical` and
`error` are high urgency, `warning` and `info` low), so the severity each
receiver sends is what makes `oncall.urgency` mean something:

| `oncall.urgency` | `severity="page"` alert            | `severity="ticket"` alert     |
|------------------|------------------------------------|-------------------------------|
| high             | `critical`: high urgency           | Slack, or `info` without one  |
| low              | `warning`: low urgency             | Slack, or `info` without one  |
| dynamic          | `warning` for data alerts, `critical` for the rest | Slack, or `info` |

A tier speaks through urgency only: its default (the tier's in mlcp.yaml, else
`domain.DEFAULT_URGENCY`) and its policy (MLCP302 can fix it), so an
experimental model's page is a low-urgency incident unless its spec says
otherwise.

Notifications. Alerts are grouped by model and alert name, so one notification
can carry several alerts whose summaries differ (`.CommonAnnotations.summary`
is then empty). Every text here is built for any group: the one alert's own
summary, or the model, the count, the alert name and what tells the members
apart (the values of the labels they do not share).
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from typing import Any

from controlplane import contract
from controlplane.alerts import DECLARATIONS
from controlplane.model import Config, Model
from controlplane.render.monitoring import promql
from controlplane.render.monitoring.yamlio import dumps

# Secrets are files mounted next to Alertmanager, never values in this file. The
# routing keys are kept by `mlcp oncall apply` in mlcp.yaml's pagerduty.routing_keys
# store: a folder, or Secrets Manager mounted into that folder (see `routing_key_file`).
SLACK_URL_FILE = "/etc/alertmanager/secrets/slack/api_url"
UNROUTED = "mlcp-unrouted"  # alerts without a known model: kept visible in the UI, sent nowhere

# PagerDuty Events v2 severities, read by a service whose urgency is based on severity.
PAGE_HIGH_URGENCY = "critical"
PAGE_LOW_URGENCY = "warning"
TICKET_SEVERITY = "info"
# Under `urgency: dynamic`, alerts about the input data (drift, nulls, ranges) wait
# for working hours: the model still answers. Service, quality and monitor pages
# stay high urgency (a silent exporter is often a dead service).
DYNAMIC_LOW_URGENCY_CATEGORY = "data"

# What tells the members of a group apart: the values of the labels they do not share.
_MEMBER = (
    '{{ $sep := "" }}{{ range $alert.Labels.SortedPairs }}'
    '{{ if not (index $.CommonLabels .Name) }}{{ $sep }}{{ .Value }}{{ $sep = " " }}{{ end }}'
    "{{ end }}"
)
_MEMBERS = "{{ range $i, $alert := $members }}{{ if $i }}, {{ end }}" + _MEMBER + "{{ end }}"
_COUNT = (
    "{{ if .Alerts.Firing }}{{ len .Alerts.Firing }} alert"
    "{{ if gt (len .Alerts.Firing) 1 }}s{{ end }} firing"
    "{{ else }}{{ len .Alerts.Resolved }} alerts resolved{{ end }}"
)
# One line for any group: PagerDuty's required summary, Slack's title.
SUMMARY = (
    "{{ if eq (len .Alerts) 1 }}{{ with index .Alerts 0 }}"
    '{{ or .Annotations.summary (printf "%s: %s" .Labels.model .Labels.alertname) }}'
    "{{ end }}{{ else }}"
    "{{ $members := .Alerts.Firing }}{{ if not $members }}{{ $members = .Alerts.Resolved }}{{ end }}"
    "{{ .GroupLabels.model }}: " + _COUNT + ": {{ .GroupLabels.alertname }} (" + _MEMBERS + ")"
    "{{ if and .Alerts.Firing .Alerts.Resolved }}, {{ len .Alerts.Resolved }} resolved{{ end }}"
    "{{ end }}"
)
# Every member, its own summary, description and runbook.
MEMBERS_TEXT = (
    "{{ range .Alerts }}[{{ .Status }}] {{ .Annotations.summary }}\n"
    "{{ .Annotations.description }}\nRunbook: {{ .Annotations.runbook_url }}\n{{ end }}"
)
TICKET_TITLE = (
    '[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ len .Alerts.Firing }}{{ end }}] '
    + SUMMARY
)


def matcher(label: str, value: str) -> str:
    return f"{label}={promql.string(value)}"


def service(model: Model, config: Config) -> str:
    """The PagerDuty service of a model (the on-call renderer creates it under this name)."""
    return f"{config.pagerduty_service_prefix}{model.name}"


def routing_key_file(model: Model, config: Config) -> str:
    """Where Alertmanager reads the model's service's Events API v2 routing key: the file
    `mlcp oncall apply` writes, or the secret it puts, mounted under its service's name."""
    return posixpath.join(config.pagerduty_routing_key_dir, service(model, config))


def pagerduty(model: Model, config: Config, severity: str) -> dict[str, Any]:
    return {
        "routing_key_file": routing_key_file(model, config),
        "severity": severity,
        "description": SUMMARY,
        # Added to Alertmanager's own details (firing, resolved and their counts).
        "details": {"alerts": MEMBERS_TEXT},
        "send_resolved": True,
        "links": [{"href": "{{ .CommonAnnotations.runbook_url }}", "text": "runbook"}],
    }


def page_receiver(model: Model) -> str:
    return f"{model.name}-page"


def low_urgency_page_receiver(model: Model) -> str:
    return f"{model.name}-page-low"


def ticket_receiver(model: Model) -> str:
    return f"{model.name}-ticket"


def _pages_high(model: Model) -> bool:
    return model.oncall.urgency in ("high", "dynamic")


def _pages_low(model: Model) -> bool:
    return model.oncall.urgency in ("low", "dynamic")


def receivers(model: Model, config: Config) -> list[dict[str, Any]]:
    pages: list[dict[str, Any]] = []
    if _pages_high(model):
        pages.append(
            {
                "name": page_receiver(model),
                "pagerduty_configs": [pagerduty(model, config, PAGE_HIGH_URGENCY)],
            }
        )
    if _pages_low(model):
        pages.append(
            {
                "name": low_urgency_page_receiver(model),
                "pagerduty_configs": [pagerduty(model, config, PAGE_LOW_URGENCY)],
            }
        )
    ticket: dict[str, Any] = {"name": ticket_receiver(model)}
    if model.oncall.slack:
        ticket["slack_configs"] = [
            {
                "api_url_file": SLACK_URL_FILE,
                "channel": promql.literal_text(model.oncall.slack),
                "send_resolved": True,
                "title": TICKET_TITLE,
                "text": MEMBERS_TEXT,
            }
        ]
    else:  # no channel: an `info` event on the same service, which PagerDuty keeps low urgency
        ticket["pagerduty_configs"] = [pagerduty(model, config, TICKET_SEVERITY)]
    return [*pages, ticket]


def page_routes(model: Model) -> list[dict[str, Any]]:
    """Where `severity="page"` goes, by the model's urgency (see the module docstring)."""
    page = matcher(contract.SEVERITY, "page")
    if model.oncall.urgency == "high":
        return [{"matchers": [page], "receiver": page_receiver(model), "repeat_interval": "1h"}]
    low = {"receiver": low_urgency_page_receiver(model), "repeat_interval": "1h"}
    if model.oncall.urgency == "low":
        return [{"matchers": [page], **low}]
    return [
        {"matchers": [page, matcher(contract.CATEGORY, DYNAMIC_LOW_URGENCY_CATEGORY)], **low},
        {"matchers": [page], "receiver": page_receiver(model), "repeat_interval": "1h"},
    ]


def route(model: Model) -> dict[str, Any]:
    return {
        "matchers": [matcher(contract.MODEL, model.name)],
        "receiver": ticket_receiver(model),
        "routes": [
            *page_routes(model),
            {
                "matchers": [matcher(contract.SEVERITY, "ticket")],
                "receiver": ticket_receiver(model),
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
