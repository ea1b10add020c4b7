"""``mlcp.yaml``: what the specs of one repository share (kind: Config)."""

from __future__ import annotations

import zoneinfo
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, field_validator
from pydantic_core import PydanticCustomError

from controlplane.domain import Tier, Urgency
from controlplane.spec.types import Rate
from controlplane.spec.v1 import WHOLE, Budget, Owner, PsiValue, Strict


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
    # `mlcp oncall apply` writes each service's Events API v2 routing key here (one file
    # per service, mode 0600) and Alertmanager's `routing_key_file` reads it: an absolute
    # path on the host or volume that both share.
    routing_key_dir: Annotated[
        str,
        Field(
            pattern=r"^/(.*[^/])?$",
            description="Absolute folder of the routing key files (one per service, mode 0600)",
        ),
    ] = "/etc/alertmanager/secrets/pagerduty"


class Runbooks(Strict):
    base_url: str = "runbooks"


class Build(Strict):
    out: str = "build"


class Pulumi(Strict):
    """Where `mlcp apply` keeps infrastructure state, and which stack it updates."""

    backend: str | None = Field(
        None,
        description="state backend URL (s3://BUCKET, file://PATH, https://api.pulumi.com); "
        "PULUMI_BACKEND_URL is used when this is not set",
    )
    stack: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.\-/]+$")] | None = Field(
        None, description="the stack `mlcp apply` updates when --stack is not given"
    )
    secrets_provider: str | None = Field(
        None, description="for new stacks: passphrase, awskms://..., hashivault://..."
    )
    secrets: dict[str, Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]] = Field(
        {},
        description="Pulumi config key -> the environment variable holding its value; "
        "set on the stack as a secret at every apply",
    )


class CostSettings(Strict):
    """How `mlcp plan` prices what the specs ask for (prices themselves: `prices:`)."""

    spot_discount: Rate = Field(
        Rate("70%", 0.7), description="what spot capacity saves against on-demand (70%)"
    )

    @field_validator("spot_discount")
    @classmethod
    def _below_whole(cls, value: Rate) -> Rate:
        if value.value >= 1:  # reported as pydantic's own bound is: located, with the bound
            raise PydanticCustomError("less_than", "below 100%", {"lt": "100%"})
        return value


class Policy(Strict):
    """Rules a tier must follow; `mlcp validate` reports a breach as MLCP3xx."""

    require: list[
        Literal[
            "fallback", "rollout.shadow", "retraining", "quality.metrics", "cost.monthly_budget"
        ]
    ] = []
    urgency: Urgency | None = None
    max_psi_critical: PsiValue | None = None
    min_instances: Annotated[int, Field(ge=1, le=100), WHOLE] | None = None
    max_monthly_budget: Budget | None = None
    require_broken_metric: bool = False


class ConfigSpec(Strict):
    apiVersion: Literal["mlcp/v1"]
    kind: Literal["Config"]
    aws: Aws = Aws()
    pagerduty: PagerDuty = PagerDuty()
    runbooks: Runbooks = Runbooks()
    build: Build = Build()
    pulumi: Pulumi = Pulumi()
    platform_owners: list[Owner] = Field(
        [], description="CODEOWNERS of mlcp.yaml and infra/ (the specs' own owners own each spec)"
    )
    defaults: dict[Tier, dict[str, Any]] = {}
    policies: dict[Literal["all", "critical", "standard", "experimental"], Policy] = {}
    prices: dict[str, Annotated[float, Field(gt=0, le=1000)]] = Field(
        {}, description="USD per hour by instance type"
    )
    cost: CostSettings = CostSettings()
