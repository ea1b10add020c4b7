"""Spec v1: what people write, field for field (see DESIGN.md and the README).

Structure and types only; rules that relate one field to another live in
``controlplane.spec.check``. Every model forbids unknown keys.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from controlplane.domain import TaskType, Tier, Urgency
from controlplane.spec.types import Duration, Number, Rate, Throughput, Timestamp

NAME_PATTERN = r"^[a-z][a-z0-9-]{1,61}[a-z0-9]$"
API_VERSION = "mlcp/v1"


def _whole_number(value: object) -> object:
    """``2.0`` is the integer 2, as JSON Schema (and so every editor) reads it; ``2.5`` is refused."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# Every field is strict (no "3" → 3, no yes → true, no 1 → true, no 2.3 → "2.3"): what a
# person wrote is what the spec means. The one relaxation: a whole float is an integer.
WHOLE = BeforeValidator(_whole_number)
Int = Annotated[int, WHOLE]
Name = Annotated[str, Field(pattern=NAME_PATTERN, description="lowercase, digits and dashes")]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
# Each number's plausible range is declared with its field: past it a value is a slip (a
# digit too many, 1e308) that would overflow what is rendered from it.
PsiValue = Annotated[float, Field(gt=0, le=10, description="a PSI; 0.1 investigate, 0.25 act")]
Budget = Annotated[float, Field(gt=0, le=1e9, description="USD a month")]
Owner = Annotated[
    str,
    Field(pattern=r"^@[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)?$", description="@user or @org/team"),
]
Bound = Number  # a number, or a percent string for rate-like metrics


# An EC2 or SageMaker (ml.) instance type: its family names its CPU, memory and GPU.
InstanceType = Annotated[str, Field(pattern=r"^(ml\.)?[a-z][a-z0-9-]*\.[a-z0-9]+$")]


class Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=False, allow_inf_nan=False, strict=True
    )


class Metadata(Strict):
    name: Name
    team: Text
    owners: list[Owner] = []
    tier: Tier
    domain: Literal["fraud", "recommendation", "forecasting", "finance", "other"] = "other"
    description: Annotated[str, Field(max_length=2000)] = ""


class Task(Strict):
    type: TaskType
    gpu: bool = Field(False, description="the model needs a GPU to serve")


class Instances(Strict):
    min: Annotated[int, Field(ge=1, le=100), WHOLE] = 1
    max: Annotated[int, Field(ge=1, le=100), WHOLE] = 1


class Batching(Strict):
    max_batch_size: Annotated[int, Field(ge=1, le=4096), WHOLE]
    max_delay: Duration


class Cache(Strict):
    backend: Literal["redis"] = "redis"
    ttl: Duration
    node_type: Annotated[str, Field(pattern=r"^cache\.[a-z][a-z0-9-]*\.[a-z0-9]+$")] = (
        "cache.t4g.small"
    )


class Optimization(Strict):
    quantization: Literal["none", "fp16", "int8"] = "none"


class ArtifactRef(Strict):
    version: Text
    image: Text
    model_data: Text


class Checkpoint(Strict):
    every: Duration


class Serving(Strict):
    mode: Literal["realtime", "batch"]
    instance_type: InstanceType
    instances: Instances = Instances()
    target_invocations_per_instance: Annotated[int, Field(gt=0, le=1_000_000), WHOLE] = 1000
    batching: Batching | None = None
    cache: Cache | None = None
    optimization: Optimization = Optimization()
    artifact: ArtifactRef
    schedule: str | None = Field(None, description="batch only: a cron expression")
    spot: bool = False
    checkpoint: Checkpoint | None = None


class Latency(Strict):
    p50: Duration | None = None
    p95: Duration | None = None
    p99: Duration | None = None


class Sla(Strict):
    latency: Latency = Latency()
    error_rate: Rate | None = None
    availability: Rate | None = None
    min_throughput: Throughput | None = None


class PsiOverride(Strict):
    warn: PsiValue | None = None
    critical: PsiValue | None = None


class FeatureOverride(Strict):
    psi: PsiOverride = PsiOverride()


class Features(Strict):
    profile: str | None = None
    numeric: list[str] = []
    categorical: list[str] = []
    overrides: dict[str, FeatureOverride] = {}


class Psi(Strict):
    warn: PsiValue = 0.1
    critical: PsiValue = 0.25
    bins: Annotated[int, Field(ge=2, le=100), WHOLE] = 10


class NullRate(Strict):
    max_ratio_to_training: Annotated[float, Field(gt=0, le=1000)] = 2.0
    # An absolute floor: a feature with no nulls in training would otherwise page
    # at a null share of a few in ten thousand (the ratio to an epsilon share).
    min_rate: Rate = Rate("1%", 0.01)


class MaxRate(Strict):
    max_rate: Rate


class Volume(Strict):
    max_drop: Rate = Rate("30%", 0.3)
    compare_to: Duration = Duration("1w", 7 * 86400.0)


class Drift(Strict):
    psi: Psi = Psi()
    windows: list[Duration] = Field([Duration("1h", 3600.0), Duration("1d", 86400.0)], min_length=1)
    null_rate: NullRate = NullRate()
    out_of_range: MaxRate = MaxRate(max_rate=Rate("1%", 0.01))
    unseen_categories: MaxRate = MaxRate(max_rate=Rate("0.5%", 0.005))
    volume: Volume = Volume()


class QualityMetric(Strict):
    name: str
    min: Bound | None = None
    max: Bound | None = None
    window: Duration
    broken: bool = Field(False, description="past this bar the model is broken: page on-call")


class Proxy(Strict):
    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    numerator: Annotated[str, Field(pattern=r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    denominator: Annotated[str, Field(pattern=r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")] | None = None
    min: Bound | None = None
    max: Bound | None = None
    window: Duration
    broken: bool = False


class Labels(Strict):
    delay: Duration = Duration("1d", 86400.0)


class Quality(Strict):
    labels: Labels = Labels()
    metrics: list[QualityMetric] = []
    proxies: list[Proxy] = []


class TrainingData(Strict):
    source: Text
    window: Duration
    min_rows: Annotated[int, Field(ge=1, le=10**12), WHOLE] = 1000


SearchInt = Annotated[int, Field(ge=-(10**12), le=10**12), WHOLE]
SearchFloat = Annotated[float, Field(ge=-1e12, le=1e12)]


class SearchParam(Strict):
    int_: list[SearchInt] | None = Field(None, alias="int", min_length=2, max_length=2)
    float_: list[SearchFloat] | None = Field(None, alias="float", min_length=2, max_length=2)
    choices: list[str | int | float | bool] | None = Field(None, min_length=1)
    log: bool = False


class Tuning(Strict):
    trials: Annotated[int, Field(ge=1, le=10000), WHOLE] = 20
    timeout: Duration = Duration("1h", 3600.0)
    space: dict[str, SearchParam] = {}


class Compute(Strict):
    instance_type: InstanceType = "m5.xlarge"
    spot: bool = True
    max_runtime: Duration = Duration("4h", 4 * 3600.0)


class Gate(Strict):
    metric: str
    min_improvement: Rate = Rate("0%", 0.0)
    alpha: Annotated[float, Field(gt=0, lt=1)] = 0.05


class Retraining(Strict):
    cadence: str = Field(description="daily | weekly | biweekly | monthly | a cron expression")
    data: TrainingData
    entrypoint: Annotated[str, Field(pattern=r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")]
    tuning: Tuning = Tuning()
    compute: Compute = Compute()
    gate: Gate


class Shadow(Strict):
    duration: Duration = Duration("48h", 48 * 3600.0)
    max_divergence: Rate = Rate("5%", 0.05)


class Rollout(Strict):
    shadow: Shadow | None = None
    stages: list[Int] = [5, 25, 100]
    bake_time: Duration = Duration("2h", 7200.0)
    rollback_on: list[str] | None = Field(
        None, description="default: the declared latency p99 and error SLAs and broken bars"
    )
    candidate: ArtifactRef | None = None
    state: str = Field("stable", description="stable | shadow | canary-N | full")
    since: Timestamp | None = Field(
        None, description="when the state was entered; written by `mlcp promote` and `rollback`"
    )


class Fallback(Strict):
    strategy: Literal["previous_version", "rules", "static", "non_personalized"]
    recovery: Duration = Duration("5m", 300.0)


class OnCall(Strict):
    escalation_policy: Text | None = None
    urgency: Urgency | None = None  # None: by tier (domain.DEFAULT_URGENCY)
    slack: Annotated[str, Field(pattern=r"^#[a-z0-9][a-z0-9_-]{0,79}$")] | None = None


class Cost(Strict):
    monthly_budget: Budget | None = None


class ModelSpec(Strict):
    """The top of a spec file (``kind: Model``)."""

    apiVersion: Literal["mlcp/v1"]
    kind: Literal["Model"]
    metadata: Metadata
    task: Task
    serving: Serving
    sla: Sla = Sla()
    features: Features = Features()
    drift: Drift = Drift()
    quality: Quality = Quality()
    retraining: Retraining | None = None
    rollout: Rollout = Rollout()
    fallback: Fallback | None = None
    oncall: OnCall = OnCall()
    cost: Cost = Cost()
