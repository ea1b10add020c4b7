"""The desired PagerDuty state: one service per model, in `build/pagerduty/services.json`.

`mlcp oncall plan` and `apply` reconcile PagerDuty to the same values
(`desired_service`); the file is what a pull request's plan diffs. Its shape:

    {"about": ..., "services": [<one object per model, sorted by model name>]}

with each service's keys sorted. Every value comes from the spec and mlcp.yaml:

- `name`: mlcp.yaml's `pagerduty.service_prefix` + the model name;
- `escalation_policy`: `oncall.escalation_policy` as written (a name or an id),
  else mlcp.yaml's `pagerduty.default_escalation_policy`; resolved to an id live;
- `incident_urgency_rule`: always "based on alert severity". The model's urgency
  (`urgency`, from `oncall.urgency` or its tier) is carried by the Events API v2
  severity that Alertmanager sends (see `render.monitoring.alertmanager`), which
  lets one service take both high- and low-urgency pages and `info` tickets;
- `acknowledgement_timeout` / `auto_resolve_timeout` (seconds, null for never),
  by tier (`TIMEOUTS`);
- `integration`: the Events API v2 integration Alertmanager sends to. Its name
  marks the service as managed by mlcp, and by which repository: `mlcp[<service
  prefix>]: <service name>` (`owner_marker`). A name or description edited in
  the PagerDuty UI is restored; a service without the marker, or with another
  prefix's (another repository's, even one whose prefix begins with ours), is
  never touched;
- `team`, `tier`, `source`, `runbook`, `routing_key_file`: for people and for the
  plan; the team is also written into the description.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from controlplane import __version__
from controlplane.domain import Tier
from controlplane.model import Config, Model
from controlplane.render import Artifact
from controlplane.render.jsonwrite import dumps
from controlplane.render.monitoring.alertmanager import routing_key_file, service

SERVICES = "pagerduty/services.json"
EVENTS_V2 = "events_api_v2_inbound_integration"
MARKER = "mlcp["  # every mlcp integration's name begins so: owner_marker(prefix) + service name
SEVERITY_BASED = {"type": "constant", "urgency": "severity_based"}
CREATE_INCIDENTS = "create_alerts_and_incidents"
HOUR = 3600

# Seconds. Acknowledged and forgotten, a critical incident pages again after 30 minutes.
# Alertmanager resolves an incident when its alerts clear (send_resolved), so
# auto-resolve only sweeps up lost resolve events; a critical incident is closed by a
# person, never by a timer.
TIMEOUTS: dict[Tier, tuple[int | None, int | None]] = {
    "critical": (HOUR // 2, None),
    "standard": (HOUR, 24 * HOUR),
    "experimental": (None, 4 * HOUR),
}


@dataclass(frozen=True)
class DesiredService:
    """What the PagerDuty service of one model must say."""

    model: str
    source: str
    name: str
    description: str
    escalation_policy: str  # a name or an id, as written
    acknowledgement_timeout: int | None
    auto_resolve_timeout: int | None
    integration_name: str
    routing_key_file: str

    def fields(self) -> dict[str, Any]:
        """The service's fields that mlcp owns (`OwnedFields`), as PagerDuty's API spells them."""
        owned = OwnedFields(
            self.name, self.description, self.acknowledgement_timeout, self.auto_resolve_timeout
        )
        return asdict(owned)


@dataclass(frozen=True)
class OwnedFields:
    """The fields of a PagerDuty service that mlcp owns, named as its REST API v2 names them:
    sent on create and update, read back and compared (`OWNED_FIELDS`). The escalation
    policy is apart: it is sent by id once resolved."""

    name: str
    description: str
    acknowledgement_timeout: int | None
    auto_resolve_timeout: int | None
    incident_urgency_rule: dict[str, str] = field(default_factory=lambda: dict(SEVERITY_BASED))
    alert_creation: str = CREATE_INCIDENTS


OWNED_FIELDS = tuple(f.name for f in fields(OwnedFields))


def description(model: Model) -> str:
    return (
        f"{model.description.strip()} Team {model.team}, {model.tier} tier. "
        f"Managed by mlcp from {model.source}: change the spec, not this service."
    )


def runbook(model: Model, config: Config) -> str:
    return f"{config.runbook_base_url.rstrip('/')}/{model.name}.md"


def owner_marker(prefix: str) -> str:
    """What the integration name of a service managed under `prefix` begins with."""
    return f"{MARKER}{prefix}]: "


def desired_service(model: Model, config: Config) -> DesiredService:
    name = service(model, config)
    ack, resolve = TIMEOUTS[model.tier]
    return DesiredService(
        model=model.name,
        source=model.source,
        name=name,
        description=description(model),
        escalation_policy=model.oncall.escalation_policy,
        acknowledgement_timeout=ack,
        auto_resolve_timeout=resolve,
        integration_name=owner_marker(config.pagerduty_service_prefix) + name,
        routing_key_file=routing_key_file(model, config),
    )


def service_data(model: Model, config: Config) -> dict[str, Any]:
    wanted = desired_service(model, config)
    return {
        **wanted.fields(),
        "model": model.name,
        "source": model.source,
        "team": model.team,
        "tier": model.tier,
        "urgency": model.oncall.urgency,
        "escalation_policy": wanted.escalation_policy,
        "integration": {"type": EVENTS_V2, "name": wanted.integration_name},
        "routing_key_file": wanted.routing_key_file,
        "runbook": runbook(model, config),
    }


def render(models: Sequence[Model], config: Config) -> list[Artifact]:
    ordered = sorted(models, key=lambda m: m.name)
    data = {
        "about": (
            f"Generated by mlcp {__version__} from the specs; do not edit. The PagerDuty "
            "services `mlcp oncall apply` keeps as the specs say, one per model."
        ),
        "routing_key_dir": config.pagerduty_routing_key_dir,
        "services": [service_data(m, config) for m in ordered],
    }
    return [Artifact(SERVICES, dumps(data), None, (("services", len(ordered)),))]
