"""``mlcp.yaml``: what the specs of one repository share (kind: Config)."""

from __future__ import annotations

import zoneinfo
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from controlplane.domain import Tier, Urgency
from controlplane.spec.v1 import WHOLE, Positive, Strict


def _timezone(name: str) -> str:
    """An IANA time zone, as EventBridge Scheduler's `ScheduleExpressionTimezone` takes it."""
    try:
        zoneinfo.ZoneInfo(name)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        raise PydanticCustomError(
            "mlcp_timezone",
            "unknown time zone {name} (write an IANA name such as Europe/Paris)",
            {"name": repr(name)},
        ) from None
    return name


class Aws(Strict):
    region: Annotated[str, Field(pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")] = "us-east-1"
    vpc_id: str | None = None
    subnet_ids: list[str] = []
    security_group_ids: list[str] = []
    # The zone the cron of serving.schedule and retraining.cadence is read in.
    schedule_timezone: Annotated[str, AfterValidator(_timezone)] = "UTC"


class PagerDuty(Strict):
    service_prefix: str = "ml-"
    default_escalation_policy: str = "ML Platform"


class Runbooks(Strict):
    base_url: str = "runbooks"


class Build(Strict):
    out: str = "build"


class Policy(Strict):
    """Rules a tier must follow; `mlcp validate` reports a breach as MLCP3xx."""

    require: list[
        Literal[
            "fallback", "rollout.shadow", "retraining", "quality.metrics", "cost.monthly_budget"
        ]
    ] = []
    urgency: Urgency | None = None
    max_psi_critical: Positive | None = None
    min_instances: Annotated[int, Field(ge=1), WHOLE] | None = None
    max_monthly_budget: Positive | None = None
    require_broken_metric: bool = False


class ConfigSpec(Strict):
    apiVersion: Literal["mlcp/v1"]
    kind: Literal["Config"]
    aws: Aws = Aws()
    pagerduty: PagerDuty = PagerDuty()
    runbooks: Runbooks = Runbooks()
    build: Build = Build()
    defaults: dict[Tier, dict[str, Any]] = {}
    policies: dict[Literal["all", "critical", "standard", "experimental"], Policy] = {}
    prices: dict[str, Positive] = Field({}, description="USD per hour by instance type")
