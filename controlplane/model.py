"""The normalized model: what every renderer, the planner and the runtime read.

Spec v1 (``controlplane.spec.v1``) mirrors what people write, with units and
shorthands. This module is what the rest of the code wants: durations in
seconds, rates as fractions in [0, 1], defaults filled, derived values
computed. Everything here is frozen; build it only through
``controlplane.spec.normalize``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from controlplane import domain, units
from controlplane.domain import TaskType, Tier, Urgency

ServingMode = Literal["realtime", "batch"]
FeatureKind = Literal["numeric", "categorical"]
RolloutState = str  # one of domain.RolloutStates(stages).states


@dataclass(frozen=True)
class Latency:
    p50: float | None  # seconds
    p95: float | None
    p99: float | None


@dataclass(frozen=True)
class Sla:
    latency: Latency
    error_rate: float | None  # fraction of requests
    availability: float | None  # fraction, e.g. 0.999
    min_throughput: float | None  # requests per second

    @property
    def error_budget(self) -> float | None:
        """The share of requests that may fail (``domain.error_budget``)."""
        return domain.error_budget(self.availability, self.error_rate)


@dataclass(frozen=True)
class ModelArtifact:
    version: str
    image: str
    model_data: str


@dataclass(frozen=True)
class Batching:
    max_batch_size: int
    max_delay: float  # seconds


@dataclass(frozen=True)
class Cache:
    backend: Literal["redis"]
    ttl: float  # seconds
    node_type: str


@dataclass(frozen=True)
class Serving:
    mode: ServingMode
    instance_type: str
    gpu: bool  # derived from the instance family
    instances_min: int
    instances_max: int
    target_invocations_per_instance: int
    batching: Batching | None
    cache: Cache | None
    quantization: Literal["none", "fp16", "int8"]
    artifact: ModelArtifact
    schedule: str | None  # batch only: as written (a cron expression, or a name like @weekly)
    spot: bool
    checkpoint_every: float | None  # seconds, batch only

    # The schedule is normalized here, once: readers ask for the form they need.
    @property
    def cron(self) -> str | None:
        """The five-field cron the schedule means (`@weekly` is `0 0 * * 0`); None for realtime."""
        return units.normalize_cron(self.schedule) if self.schedule else None

    @property
    def eventbridge_schedule(self) -> str | None:
        """The EventBridge `cron(...)` expression of the schedule; None for realtime."""
        return units.cron_to_eventbridge(self.cron) if self.cron else None


@dataclass(frozen=True)
class PsiThreshold:
    warn: float
    critical: float


@dataclass(frozen=True)
class Feature:
    name: str
    kind: FeatureKind
    psi: PsiThreshold  # the model-wide threshold unless overridden


@dataclass(frozen=True)
class Drift:
    psi: PsiThreshold
    bins: int
    windows: tuple[float, ...]  # seconds, ascending
    null_max_ratio_to_training: float
    null_min_rate: float  # fraction: nulls below this share never alert, whatever the ratio
    out_of_range_max_rate: float
    unseen_max_rate: float
    volume_max_drop: float  # fraction
    volume_compare_to: float  # seconds


@dataclass(frozen=True)
class QualityMetric:
    name: str
    min: float | None
    max: float | None
    window: float  # seconds
    broken: bool


@dataclass(frozen=True)
class Proxy:
    name: str
    numerator: str  # counter series name emitted by the serving code
    denominator: str  # defaults to the predictions counter
    min: float | None
    max: float | None
    window: float
    broken: bool


@dataclass(frozen=True)
class Quality:
    label_delay: float  # seconds
    metrics: tuple[QualityMetric, ...]
    proxies: tuple[Proxy, ...]


@dataclass(frozen=True)
class SearchParam:
    name: str
    kind: Literal["int", "float", "categorical"]
    low: float | None
    high: float | None
    log: bool
    choices: tuple[str | int | float | bool, ...]


@dataclass(frozen=True)
class Gate:
    metric: str
    min_improvement: float  # relative, fraction
    alpha: float


@dataclass(frozen=True)
class Retraining:
    cadence: str  # as written: daily | weekly | biweekly | monthly | cron
    schedule: str  # the EventBridge schedule expression it means
    data_source: str
    data_window: float  # seconds
    min_rows: int
    entrypoint: str
    tuning_trials: int
    tuning_timeout: float  # seconds
    search_space: tuple[SearchParam, ...]
    instance_type: str
    gpu: bool
    spot: bool
    max_runtime: float  # seconds
    gate: Gate


@dataclass(frozen=True)
class Shadow:
    duration: float  # seconds
    max_divergence: float  # fraction


@dataclass(frozen=True)
class Rollout:
    shadow: Shadow | None
    stages: tuple[int, ...]
    bake_time: float  # seconds
    rollback_on: tuple[str, ...]
    candidate: ModelArtifact | None
    state: RolloutState
    since: float | None = None  # seconds since the epoch the state was entered; None: unknown

    @property
    def states(self) -> domain.RolloutStates:
        """The state machine this rollout moves through (stable → shadow → canary-N… → full)."""
        return domain.RolloutStates(self.stages, shadow=self.shadow is not None)

    @property
    def record(self) -> domain.RolloutState:
        """The current state's record: its weight, wait, evidence and meaning."""
        return domain.rollout_state(self.state)

    @property
    def candidate_weight(self) -> int:
        """Percent of production traffic the candidate takes in the current state."""
        return domain.candidate_weight(self.state)

    def wait(self, state: domain.RolloutState) -> tuple[float, str]:
        """Seconds ``state`` must last before a promotion leaves it, and what that time is called."""
        if state.wait == "shadow duration" and self.shadow is not None:
            return self.shadow.duration, state.wait
        return (self.bake_time, "bake time") if state.wait else (0.0, "")


@dataclass(frozen=True)
class Fallback:
    strategy: Literal["previous_version", "rules", "static", "non_personalized"]
    recovery: float  # seconds


@dataclass(frozen=True)
class OnCall:
    escalation_policy: str
    urgency: Urgency
    slack: str | None


@dataclass(frozen=True)
class Model:
    name: str
    source: str  # spec path as given to the compiler, posix style
    team: str
    owners: tuple[str, ...]
    tier: Tier
    domain: str
    description: str
    task: TaskType
    serving: Serving
    sla: Sla
    profile: str | None
    features: tuple[Feature, ...]
    drift: Drift
    quality: Quality
    retraining: Retraining | None
    rollout: Rollout
    fallback: Fallback | None
    oncall: OnCall
    monthly_budget: float | None
    spec_sha256: str = ""  # of the spec file's bytes: infrastructure is tagged with it

    def feature(self, name: str) -> Feature:
        for feature in self.features:
            if feature.name == name:
                return feature
        raise KeyError(name)

    @property
    def numeric_features(self) -> tuple[Feature, ...]:
        return tuple(f for f in self.features if f.kind == "numeric")

    @property
    def categorical_features(self) -> tuple[Feature, ...]:
        return tuple(f for f in self.features if f.kind == "categorical")


@dataclass(frozen=True)
class Network:
    vpc_id: str | None
    subnet_ids: tuple[str, ...]
    security_group_ids: tuple[str, ...]


@dataclass(frozen=True)
class PulumiSettings:
    """mlcp.yaml's pulumi section: where `mlcp apply` keeps state and what it sets."""

    backend: str | None = None
    stack: str | None = None
    secrets_provider: str | None = None
    secrets: tuple[tuple[str, str], ...] = ()  # Pulumi config key -> environment variable


@dataclass(frozen=True)
class Config:
    """The repository configuration (``mlcp.yaml``), normalized."""

    source: str | None
    region: str
    network: Network
    pagerduty_service_prefix: str
    default_escalation_policy: str
    pagerduty_routing_key_dir: str  # absolute: where each service's routing key file lives
    runbook_base_url: str
    output_dir: str
    prices: tuple[tuple[str, float], ...]  # instance type -> USD per hour, overrides
    pulumi: PulumiSettings = PulumiSettings()
    platform_owners: tuple[str, ...] = ()  # CODEOWNERS of mlcp.yaml and infra/
    spot_discount: float = 0.7  # fraction spot capacity saves against on-demand
    schedule_timezone: str = "UTC"  # IANA zone of every schedule's cron
