"""What PagerDuty holds: its services (and which of them mlcp manages), and the
escalation policies the specs name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pagerduty

from controlplane.render.oncall import EVENTS_V2, MARKER, OWNED_FIELDS

# PagerDuty ids: a capital letter then six capitals or digits (e.g. PABC123).
POLICY_ID = re.compile(r"^[A-Z][A-Z0-9]{6}$")


@dataclass(frozen=True)
class LiveService:
    id: str
    fields: dict[str, Any]  # OWNED_FIELDS as PagerDuty holds them
    escalation_policy_id: str | None
    marker: str | None  # the name of mlcp's Events API v2 integration, if it has one
    integration_id: str | None
    routing_key: str | None

    @property
    def name(self) -> str:
        return str(self.fields.get("name", ""))


def _marker(service: dict[str, Any]) -> dict[str, Any] | None:
    for integration in service.get("integrations") or []:
        name = integration.get("name") or integration.get("summary") or ""
        kind = str(integration.get("type", "")).removesuffix("_reference")
        if kind == EVENTS_V2 and name.startswith(MARKER):
            return dict(integration)
    return None


def to_live(service: dict[str, Any]) -> LiveService:
    marker = _marker(service)
    policy = service.get("escalation_policy") or {}
    return LiveService(
        id=str(service["id"]),
        fields={key: service.get(key) for key in OWNED_FIELDS},
        escalation_policy_id=policy.get("id"),
        marker=marker.get("name") or marker.get("summary") if marker else None,
        integration_id=marker.get("id") if marker else None,
        routing_key=marker.get("integration_key") if marker else None,
    )


def read_services(client: pagerduty.RestApiV2Client) -> list[LiveService]:
    """Every service, page by page, with its integrations (which carry mlcp's marker)."""
    pages = client.iter_all("/services", params={"include[]": ["integrations"]})
    return [to_live(service) for service in pages]


def routing_key(client: pagerduty.RestApiV2Client, service: LiveService) -> str:
    """The Events API v2 routing key of mlcp's integration on a managed service."""
    if service.routing_key:
        return service.routing_key
    path = f"/services/{service.id}/integrations/{service.integration_id}"
    integration: dict[str, Any] = client.rget(path)
    return str(integration["integration_key"])


@dataclass(frozen=True)
class Resolved:
    reference: str  # as the spec or mlcp.yaml writes it
    id: str | None
    problem: str  # why it did not resolve; "" when it did
    looked_up: bool = True  # False: PagerDuty failed to answer, the spec may be right


def resolve_policy(client: pagerduty.RestApiV2Client, reference: str) -> Resolved:
    """An escalation policy by exact name (PagerDuty's `query` matches parts of names)
    or by id."""
    found = client.list_all("/escalation_policies", params={"query": reference})
    named = [p for p in found if p.get("name") == reference or p.get("id") == reference]
    if len(named) == 1:
        return Resolved(reference, str(named[0]["id"]), "")
    if len(named) > 1:
        ids = ", ".join(sorted(str(p["id"]) for p in named))
        return Resolved(reference, None, f"names {len(named)} escalation policies ({ids})")
    if POLICY_ID.fullmatch(reference):
        try:
            policy: dict[str, Any] = client.rget(f"/escalation_policies/{reference}")
            return Resolved(reference, str(policy["id"]), "")
        except pagerduty.HttpError as error:
            if error.response is None or error.response.status_code != 404:
                raise
    return Resolved(reference, None, "names no escalation policy in PagerDuty")
