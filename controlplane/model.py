"""The normalized model: what every renderer, the planner and the runtime read.

Spec v1 (``controlplane.spec.v1``) mirrors what people write, with units and
shorthands. This module is what the rest of the code wants: durations in
seconds, rates as fractions in [0, 1], defaults filled, derived values
computed. Everything here is frozen; build it only through
``controlplane.spec.normalize``.

A field whose plan reading is not plain carries a ``Meaning``: its path in
the spec (when not its own name), its unit, which way is looser, or that no
spec writes it. ``controlplane.plan`` reads these, and a test checks every
spec path against the spec's JSON Schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from controlplane import domain, units
from controlplane.domain import TaskType, Tier, Urgency


@dataclass(frozen=True)
class Meaning:
    """What a field is to a reviewer of a plan."""

    # Its path in the spec, from its record's path: `null_rate.max_ratio_to_training`; None:
    # the field's own name; "": the place its named item is listed (see `listed`).
    spec: str | None = None
    unit: Literal["duration", "rate", "moment"] | None = None  # seconds, fraction, epoch
    looser: Literal["up", "down"] | None = None  # which way lets more through before an alert
    derived: bool = False  # computed from other values: no spec writes it
    # A tuple of named items: where an item is listed, formatted with the item's fields.
    listed: str | None = None
    # The model path of the model-wide value this one takes unless overridden.
    inherits: str | None = None


DURATION = Meaning(unit="duration")
RATE = Meaning(unit="rate")
DERIVED = Meaning(derived=True)
UP = Meaning(looser="up")  # a higher value is looser
DOWN = Meaning(looser="down")

ServingMode = Literal["realtime", "batch"]
FeatureKind = Literal["numeric", "categorical"]
RolloutState = str  # one of domain.RolloutStates(stages).states


@dataclass(frozen=True)
class Latency:
    p50: Annotated[float | None, Meaning(unit="duration", looser="up")]
    p95: Annotated[float | None, Meaning(unit="duration", looser="up")]
    p99: Annotated[float | None, Meaning(unit="duration", looser="up")]


@dataclass(frozen=True)
class Sla:
    latency: Latency
    error_rate: Annotated[float | None, Meaning(unit="rate", looser="up")]  # of requests
    availability: Annotated[float | None, Meaning(unit="rate", looser="down")]  # e.g. 0.999
    min_throughput: Annotated[float | None, DOWN]  # requests per second

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
    max_delay: Annotated[float, DURATION]


@dataclass(frozen=True)
class Cache:
    backend: Literal["redis"]
    ttl: Annotated[float, DURATION]
    node_type: str


@dataclass(frozen=True)
class Serving:
    mode: ServingMode
    instance_type: str
    gpu: Annotated[bool, DERIVED]  # from the instance family
    instances_min: Annotated[int, Meaning(spec="instances.min")]
    instances_max: Annotated[int, Meaning(spec="instances.max")]
    target_invocations_per_instance: int
    batching: Batching | None
    cache: Cache | None
    quantization: Annotated[
        Literal["none", "fp16", "int8"], Meaning(spec="optimization.quantization")
    ]
    artifact: ModelArtifact
    schedule: str | None  # batch only: as written (a cron expression, or a name like @weekly)
    spot: bool
    checkpoint_every: Annotated[float | None, Meaning(spec="checkpoint.every", unit="duration")]

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
    warn: Annotated[float, UP]
    critical: Annotated[float, UP]


@dataclass(frozen=True)
class Feature:
    name: Annotated[str, Meaning(spec="")]  # listed in `features.numeric` or `.categorical`
    kind: Annotated[FeatureKind, Meaning(spec="")]  # the list that names the feature
    psi: Annotated[PsiThreshold, Meaning(inherits="drift.psi")]


@dataclass(frozen=True)
class Drift:
    psi: PsiThreshold
    bins: Annotated[int, Meaning(spec="psi.bins")]
    windows: Annotated[tuple[float, ...], DURATION]  # ascending
    null_max_ratio_to_training: Annotated[
        float, Meaning(spec="null_rate.max_ratio_to_training", looser="up")
    ]
    # Nulls below this share never alert, whatever the ratio.
    null_min_rate: Annotated[float, Meaning(spec="null_rate.min_rate", unit="rate", looser="up")]
    out_of_range_max_rate: Annotated[
        float, Meaning(spec="out_of_range.max_rate", unit="rate", looser="up")
    ]
    unseen_max_rate: Annotated[
        float, Meaning(spec="unseen_categories.max_rate", unit="rate", looser="up")
    ]
    volume_max_drop: Annotated[float, Meaning(spec="volume.max_drop", unit="rate", looser="up")]
    volume_compare_to: Annotated[float, Meaning(spec="volume.compare_to", unit="duration")]


@dataclass(frozen=True)
class QualityMetric:
    name: str
    min: Annotated[float | None, DOWN]
    max: Annotated[float | None, UP]
    window: Annotated[float, DURATION]
    broken: bool


@dataclass(frozen=True)
class Proxy:
    name: str
    numerator: str  # counter series name emitted by the serving code
    denominator: str  # defaults to the predictions counter
    min: Annotated[float | None, DOWN]
    max: Annotated[float | None, UP]
    window: Annotated[float, DURATION]
    broken: bool


@dataclass(frozen=True)
class Quality:
    label_delay: Annotated[float, Meaning(spec="labels.delay", unit="duration")]
    metrics: tuple[QualityMetric, ...]
    proxies: tuple[Proxy, ...]


@dataclass(frozen=True)
class SearchParam:
    name: Annotated[str, Meaning(spec="")]  # the key of its entry in `tuning.space`
    # The kind and the bounds are one entry of the spec's `tuning.space`: `lr: {float: [..]}`.
    kind: Annotated[Literal["int", "float", "categorical"], Meaning(spec="")]
    low: Annotated[float | None, Meaning(spec="")]
    high: Annotated[float | None, Meaning(spec="")]
    log: bool
    choices: tuple[str | int | float | bool, ...]


@dataclass(frozen=True)
class Gate:
    metric: str
    min_improvement: Annotated[float, Meaning(unit="rate", looser="down")]  # relative
    alpha: Annotated[float, UP]


@dataclass(frozen=True)
class Retraining:
    cadence: str  # as written: a name of units.CADENCES, or a cron
    schedule: Annotated[str, DERIVED]  # the EventBridge schedule expression it means
    data_source: Annotated[str, Meaning(spec="data.source")]
    data_window: Annotated[float, Meaning(spec="data.window", unit="duration")]
    min_rows: Annotated[int, Meaning(spec="data.min_rows")]
    entrypoint: str
    tuning_trials: Annotated[int, Meaning(spec="tuning.trials")]
    tuning_timeout: Annotated[float, Meaning(spec="tuning.timeout", unit="duration")]
    search_space: Annotated[tuple[SearchParam, ...], Meaning(spec="tuning.space")]
    instance_type: Annotated[str, Meaning(spec="compute.instance_type")]
    gpu: Annotated[bool, DERIVED]
    spot: Annotated[bool, Meaning(spec="compute.spot")]
    max_runtime: Annotated[float, Meaning(spec="compute.max_runtime", unit="duration")]
    gate: Gate


@dataclass(frozen=True)
class Shadow:
    duration: Annotated[float, DURATION]
    max_divergence: Annotated[float, Meaning(unit="rate", looser="up")]


@dataclass(frozen=True)
class Rollout:
    shadow: Shadow | None
    stages: tuple[int, ...]
    bake_time: Annotated[float, DURATION]
    rollback_on: tuple[str, ...]
    candidate: ModelArtifact | None
    state: RolloutState
    # When the state was entered, in seconds since the epoch; None: unknown.
    since: Annotated[float | None, Meaning(unit="moment")] = None

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
    recovery: Annotated[float, DURATION]


@dataclass(frozen=True)
class OnCall:
    escalation_policy: str
    urgency: Urgency
    slack: str | None


@dataclass(frozen=True)
class Model:
    name: Annotated[str, Meaning(spec="metadata.name")]
    source: Annotated[str, DERIVED]  # spec path as given to the compiler, posix style
    team: Annotated[str, Meaning(spec="metadata.team")]
    owners: Annotated[tuple[str, ...], Meaning(spec="metadata.owners")]
    tier: Annotated[Tier, Meaning(spec="metadata.tier")]
    domain: Annotated[str, Meaning(spec="metadata.domain")]
    description: Annotated[str, Meaning(spec="metadata.description")]
    task: Annotated[TaskType, Meaning(spec="task.type")]
    serving: Serving
    sla: Sla
    profile: Annotated[str | None, Meaning(spec="features.profile")]
    features: Annotated[
        tuple[Feature, ...], Meaning(spec="features.overrides", listed="features.{kind}")
    ]
    drift: Drift
    quality: Quality
    retraining: Retraining | None
    rollout: Rollout
    fallback: Fallback | None
    oncall: OnCall
    monthly_budget: Annotated[float | None, Meaning(spec="cost.monthly_budget")]
    # Of the spec file's bytes (any edit, comments too): infrastructure is tagged with it.
    spec_sha256: Annotated[str, DERIVED] = ""

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


DEFAULT_SECRET_PREFIX = "mlcp/routing-keys/"


@dataclass(frozen=True)
class KeyStore:
    """mlcp.yaml's pagerduty.routing_keys: where `mlcp oncall apply` keeps each routing key
    (the folder Alertmanager reads them from is `Config.pagerduty_routing_key_dir`)."""

    kind: Literal["file", "aws-secretsmanager"] = "file"
    prefix: str = DEFAULT_SECRET_PREFIX  # aws-secretsmanager: secret name = prefix + service
    kms_key_id: str | None = None  # aws-secretsmanager: None for the account's default key


@dataclass(frozen=True)
class Config:
    """The repository configuration (``mlcp.yaml``), normalized."""

    source: str | None
    region: str
    network: Network
    pagerduty_service_prefix: str
    default_escalation_policy: str
    # absolute: the folder Alertmanager reads each service's routing key file from
    pagerduty_routing_key_dir: str
    runbook_base_url: str
    output_dir: str
    prices: tuple[tuple[str, float], ...]  # instance type -> USD per hour, overrides
    pulumi: PulumiSettings = PulumiSettings()
    platform_owners: tuple[str, ...] = ()  # CODEOWNERS of mlcp.yaml and infra/
    spot_discount: float = 0.7  # fraction spot capacity saves against on-demand
    schedule_timezone: str = "UTC"  # IANA zone of every schedule's cron
    routing_key_store: KeyStore = KeyStore()  # where mlcp apply puts the keys
