"""``mlcp.yaml``: what the specs of one repository share (kind: Config)."""

from __future__ import annotations

import zoneinfo
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, field_validator
from pydantic_core import PydanticCustomError

from controlplane.domain import Tier, Urgency
from controlplane.spec.types import Rate
from controlplane.spec.v1 import WHOLE, Budget, Owner, PsiValue, Strict

REGION_PATTERN = r"^[a-z]{2}(-[a-z]+)+-\d$"  # eu-west-1


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
    region: Annotated[str, Field(pattern=REGION_PATTERN)] = "us-east-1"
    """AWS region every resource is created in (`eu-west-1`)."""
    vpc_id: str | None = None
    """VPC the endpoints and jobs run in; none: the account's default VPC."""
    subnet_ids: list[str] = []
    """Subnets of that VPC for endpoints and jobs (`[subnet-0aa11bb22cc33dd44]`)."""
    security_group_ids: list[str] = []
    """Security groups attached to endpoints and jobs (`[sg-0123456789abcdef0]`)."""
    schedule_timezone: Annotated[str, AfterValidator(_timezone)] = "UTC"
    """IANA time zone the cron of serving.schedule and retraining.cadence is read in (`UTC`,
    `Europe/Paris`)."""


Folder = Annotated[str, Field(pattern=r"^/(.*[^/])?$")]


class RoutingKeys(Strict):
    """Where `mlcp oncall apply` keeps each service's Events API v2 routing key, and the
    folder Alertmanager reads it from (`routing_key_file: <folder>/<service>`)."""

    store: Literal["file", "aws-secretsmanager"] = Field(
        "file", description="file: mlcp writes key files; aws-secretsmanager: one secret each"
    )
    dir: Folder | None = Field(
        None, description="store file: the folder mlcp writes and Alertmanager reads"
    )
    prefix: Annotated[str, Field(pattern=r"^[A-Za-z0-9/_+=.@-]{1,256}$")] | None = Field(
        None,
        description="store aws-secretsmanager: secret names are this + the service name "
        "(default mlcp/routing-keys/)",
    )
    mount: Folder | None = Field(
        None,
        description="store aws-secretsmanager: the folder where Alertmanager sees each "
        "secret as a file named after its service (Secrets Store CSI driver, or a volume)",
    )
    kms_key_id: str | None = Field(
        None, description="store aws-secretsmanager: the KMS key that encrypts new secrets"
    )


class PagerDuty(Strict):
    service_prefix: str = "ml-"
    """Prefix of each model's PagerDuty service name (`ml-` gives `ml-fraud-detector`)."""
    default_escalation_policy: str = "ML Platform"
    """Escalation policy of a model whose spec names none (oncall.escalation_policy)."""
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
    routing_keys: RoutingKeys | None = Field(
        None,
        description="where the routing keys are kept: a folder (store: file, the default) "
        "or AWS Secrets Manager, mounted into Alertmanager (store: aws-secretsmanager)",
    )


class Runbooks(Strict):
    base_url: str = "runbooks"
    """Where the generated runbooks are published; alerts link to `<base_url>/<model>.md`."""


class Build(Strict):
    out: str = "build"
    """Folder `mlcp build` writes into (`build`), relative to the repository."""


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
    """Sections every spec of the tier must declare: `fallback`, `rollout.shadow`, `retraining`,
    `quality.metrics`, `cost.monthly_budget`."""
    urgency: Urgency | None = None
    """On-call urgency the tier's specs must use: `high`, `low` or `dynamic`."""
    max_psi_critical: PsiValue | None = Field(None, examples=[0.3])
    """Highest drift.psi.critical a spec of the tier may set (`0.3`)."""
    min_instances: Annotated[int, Field(ge=1, le=100), WHOLE] | None = Field(None, examples=[2])
    """Fewest serving.instances.min a spec of the tier may set (`2`)."""
    max_monthly_budget: Budget | None = Field(None, examples=[2000])
    """Highest cost.monthly_budget, in USD, a spec of the tier may set."""
    require_broken_metric: bool = False
    """Every spec of the tier must mark a quality metric or proxy `broken: true`, so a broken
    model pages."""


class ConfigSpec(Strict):
    apiVersion: Literal["mlcp/v1"]
    """Version of the format: `mlcp/v1`."""
    kind: Literal["Config"]
    """`Config`: the repository's mlcp.yaml."""
    aws: Aws = Aws()
    """Where resources are created: region, network, the time zone of schedules."""
    pagerduty: PagerDuty = PagerDuty()
    """How PagerDuty services are named and where their routing keys are kept."""
    runbooks: Runbooks = Runbooks()
    """Where the runbooks alerts link to are published."""
    build: Build = Build()
    """Where `mlcp build` writes."""
    pulumi: Pulumi = Pulumi()
    """`mlcp apply`'s Pulumi state backend, default stack, secrets provider and secrets."""
    platform_owners: list[Owner] = Field(
        [], description="CODEOWNERS of mlcp.yaml and infra/ (the specs' own owners own each spec)"
    )
    defaults: dict[Tier, dict[str, Any]] = {}
    """Defaults by tier (`critical`, `standard`, `experimental`): any part of a model spec; a
    spec's own value wins (`mlcp explain NAME` shows which applied)."""
    policies: dict[Literal["all", "critical", "standard", "experimental"], Policy] = {}
    """Rules by tier (or `all`); a breach is an error (MLCP3xx) in `mlcp validate`."""
    prices: dict[str, Annotated[float, Field(gt=0, le=1000)]] = Field(
        {}, description="USD per hour by instance type"
    )
    cost: CostSettings = CostSettings()
    """How `mlcp plan` prices what the specs ask for."""
