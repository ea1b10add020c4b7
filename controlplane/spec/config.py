"""``mlcp.yaml``: what the specs of one repository share (kind: Config)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator
from pydantic_core import PydanticCustomError

from controlplane.domain import Tier, Urgency
from controlplane.spec.types import Rate
from controlplane.spec.v1 import WHOLE, Positive, Strict


class Aws(Strict):
    region: Annotated[str, Field(pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")] = "us-east-1"
    vpc_id: str | None = None
    subnet_ids: list[str] = []
    security_group_ids: list[str] = []


class PagerDuty(Strict):
    service_prefix: str = "ml-"
    default_escalation_policy: str = "ML Platform"


class Runbooks(Strict):
    base_url: str = "runbooks"


class Build(Strict):
    out: str = "build"


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
    cost: CostSettings = CostSettings()
