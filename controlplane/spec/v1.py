"""Spec v1: what people write, field for field (see DESIGN.md and the README).

The string under a field is its description: the JSON Schema (so the editor) and
docs/reference read it (``spec.fielddocs``).

Structure and types only; rules that relate one field to another live in
``controlplane.spec.check``. Every model forbids unknown keys.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from controlplane.domain import TaskType, Tier, Urgency
from controlplane.spec.types import Duration, Number, Rate, Throughput, Timestamp
from controlplane.units import CADENCES

NAME_PATTERN = r"^[a-z][a-z0-9-]{1,61}[a-z0-9]$"
API_VERSION = "mlcp/v1"
# serving keys that apply to one mode only (MLCP226); the schema offers each only there
MODE_FIELDS: dict[str, tuple[str, ...]] = {
    "realtime": ("batching",),
    "batch": ("schedule", "spot", "checkpoint"),
}


def _whole_number(value: object) -> object:
    """``2.0`` is the integer 2, as JSON Schema (and so every editor) reads it; ``2.5`` is refused."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# Every field is strict (no "3" → 3, no yes → true, no 1 → true, no 2.3 → "2.3"): what a
# person wrote is what the spec means. The one relaxation: a whole float is an integer.
WHOLE = BeforeValidator(_whole_number)
Int = Annotated[int, WHOLE]
Name = Annotated[str, Field(pattern=NAME_PATTERN)]  # lowercase, digits and dashes
Text = Annotated[str, Field(min_length=1, max_length=2000)]
# Each number's plausible range is declared with its field: past it a value is a slip (a
# digit too many, 1e308) that would overflow what is rendered from it.
# PSI past its reachable ceiling (about 18.4, MLCP240) is refused by the rules with the reason;
# this bound only keeps a slip (1e308) from overflowing what is rendered from it.
PsiValue = Annotated[float, Field(gt=0, le=1000, description="a PSI; 0.1 investigate, 0.25 act")]
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
    """The model's name: 3 to 63 lowercase letters, digits and dashes, starting with a letter
    (`fraud-detector`). Names every generated resource, alert and file."""
    team: Text
    """The team that owns the model (`risk-ml`); shown in alerts, dashboards and the runbook."""
    owners: list[Owner] = []
    """GitHub users or teams (`@acme/risk-ml`) who own this spec: written to CODEOWNERS, so they
    review every change to it."""
    tier: Tier
    """How critical the model is: `critical`, `standard` or `experimental`. Picks the tier
    defaults and policies of mlcp.yaml and the default on-call urgency."""
    domain: Literal["fraud", "recommendation", "forecasting", "finance", "other"] = "other"
    """The business area the model serves: `fraud`, `recommendation`, `forecasting`, `finance`
    or `other`."""
    description: Annotated[str, Field(max_length=2000)] = ""
    """One paragraph, for people: what the model decides and what a mistake costs. Shown in the
    runbook."""


class Task(Strict):
    type: TaskType
    """What the model predicts: `classification`, `regression` or `ranking`. Decides which quality
    metrics and tuning objectives apply."""
    gpu: bool = Field(False, description="The model needs a GPU to serve (a `ml.g*`/`ml.p*` type)")


class Instances(Strict):
    min: Annotated[int, Field(ge=1, le=100), WHOLE] = 1
    """Fewest serving instances; autoscaling never goes below it. Two or more survive
    the loss of one."""
    max: Annotated[int, Field(ge=1, le=100), WHOLE] = 1
    """Most serving instances; autoscaling never goes above it, which caps the cost."""


class Batching(Strict):
    max_batch_size: Annotated[int, Field(ge=1, le=4096, examples=[32]), WHOLE]
    """Most requests grouped into one model call."""
    max_delay: Duration
    """Longest a request waits for its batch to fill (`50ms`); adds to latency."""


class Cache(Strict):
    backend: Literal["redis"] = "redis"
    """The cache in front of the endpoint: `redis` (ElastiCache)."""
    ttl: Duration
    """How long a cached prediction is served before the model is asked again (`10m`)."""
    node_type: Annotated[str, Field(pattern=r"^cache\.[a-z][a-z0-9-]*\.[a-z0-9]+$")] = (
        "cache.t4g.small"
    )
    """The ElastiCache node type (`cache.t4g.small`)."""


class Optimization(Strict):
    quantization: Literal["none", "fp16", "int8"] = "none"
    """Weights served as `none` (as trained), `fp16` or `int8`: smaller and faster, possibly less
    accurate."""


class ArtifactRef(Strict):
    version: Text
    """The model version (`1.4.0`); quote it when it looks like a number (`"2.3"`)."""
    image: Text
    """The serving container image, with its tag
    (`123456789012.dkr.ecr.eu-west-1.amazonaws.com/fraud-detector:1.4.0`)."""
    model_data: Text
    """Where the trained model archive is (`s3://acme-models/fraud-detector/1.4.0/model.tar.gz`)."""


class Checkpoint(Strict):
    every: Duration
    """How often a batch job saves its progress (`10m`); after a spot interruption it resumes from
    the last checkpoint."""


class Serving(Strict):
    mode: Literal["realtime", "batch"]
    """`realtime`: an always-on endpoint answering requests; `batch`: a scheduled job scoring a
    dataset."""
    instance_type: InstanceType
    """The machine type: a SageMaker type for realtime (`ml.c5.xlarge`), an EC2 type for batch
    (`m5.xlarge`)."""
    instances: Instances = Instances()
    """How many instances serve the model; autoscaling stays between min and max."""
    target_invocations_per_instance: Annotated[int, Field(gt=0, le=1_000_000), WHOLE] = 1000
    """Requests per minute one instance should take; autoscaling adds instances above it."""
    batching: Batching | None = None
    """Realtime only: group requests into one model call, trading a little latency for
    throughput."""
    cache: Cache | None = None
    """A Redis cache in front of the endpoint for repeated requests."""
    optimization: Optimization = Optimization()
    """How the weights are served (quantization)."""
    artifact: ArtifactRef
    """What is deployed: the version, container image and model archive in production."""
    schedule: str | None = Field(
        None,
        description='Batch only: when the job runs, a cron expression (`"0 3 * * *"`) or '
        "`@daily`, read in mlcp.yaml's aws.schedule_timezone",
    )
    spot: bool = False
    """Batch only: run the job on spot capacity (cheaper, may be interrupted; then declare
    `checkpoint`)."""
    checkpoint: Checkpoint | None = None
    """Batch only: how often the job saves progress, so a spot interruption resumes rather than
    restarts."""


class Latency(Strict):
    p50: Duration | None = None
    """Median request latency the model must keep (`30ms`); measured at the endpoint."""
    p95: Duration | None = None
    """95th percentile request latency the model must keep (`80ms`)."""
    p99: Duration | None = None
    """99th percentile request latency the model must keep (`150ms`); an SLA breach alerts and,
    during a rollout, rolls back."""


class Sla(Strict):
    latency: Latency = Latency()
    """Latency objectives by percentile (`{p50: 30ms, p99: 150ms}`)."""
    error_rate: Rate | None = None
    """Largest share of requests that may fail (`0.1%`); its error budget drives the burn-rate
    alerts."""
    availability: Rate | None = None
    """Share of time the model must answer (`99.9%`)."""
    min_throughput: Throughput | None = None
    """Fewest requests the model must serve (`50/s`, `3000/m`); less alerts as a traffic drop."""


class PsiOverride(Strict):
    warn: PsiValue | None = Field(None, examples=[0.15])
    """PSI of this feature above which drift opens a ticket; replaces drift.psi.warn for it."""
    critical: PsiValue | None = Field(None, examples=[0.3])
    """PSI of this feature above which drift pages; replaces drift.psi.critical for it."""


class FeatureOverride(Strict):
    """Thresholds for one feature, replacing the model's own for it."""

    psi: PsiOverride = PsiOverride()
    """Drift thresholds for this feature alone."""


class Features(Strict):
    profile: str | None = None
    """Path of the reference profile drift is measured against (written by `mlcp profile`)."""
    numeric: list[str] = []
    """Numeric input features, watched for drift, nulls and out-of-range values (`[amount,
    account_age_days]`)."""
    categorical: list[str] = []
    """Categorical input features, watched for drift, nulls and unseen categories (`[country,
    channel]`)."""
    overrides: dict[str, FeatureOverride] = {}
    """Per-feature thresholds, by feature name (`amount: {psi: {warn: 0.15}}`)."""


class Psi(Strict):
    warn: PsiValue = 0.1
    """Population stability index above which a feature's drift opens a ticket (0.1 is a common
    'investigate')."""
    critical: PsiValue = 0.25
    """PSI above which a feature's drift pages (0.25 is a common 'act'); must exceed warn."""
    bins: Annotated[int, Field(ge=2, le=100), WHOLE] = 10
    """Bins a numeric feature is cut into to compute PSI."""


class NullRate(Strict):
    max_ratio_to_training: Annotated[float, Field(gt=0, le=1000)] = 2.0
    """Alert when a feature's null share exceeds this many times its share in training (2 = twice
    as many nulls)."""
    # An absolute floor: a feature with no nulls in training would otherwise page
    # at a null share of a few in ten thousand (the ratio to an epsilon share).
    min_rate: Rate = Rate("1%", 0.01)
    """Null share below which no alert fires whatever the ratio (`1%`): a feature with no nulls in
    training would otherwise alert on a handful."""


class MaxRate(Strict):
    max_rate: Rate
    """Largest share of values allowed (`1%`, or `0.01`); above it the data-health alert fires."""


class Volume(Strict):
    max_drop: Rate = Rate("30%", 0.3)
    """Largest fall in request or row volume against `compare_to` ago (`30%`) before the volume
    alert fires."""
    compare_to: Duration = Duration("1w", 7 * 86400.0)
    """How far back the volume is compared (`1w`: the same hour last week)."""


class Drift(Strict):
    psi: Psi = Psi()
    """Thresholds of the population stability index, per feature."""
    windows: list[Duration] = Field([Duration("1h", 3600.0), Duration("1d", 86400.0)], min_length=1)
    """Windows drift is measured over (`[1h, 1d, 7d]`); each gets its recorded series and alert."""
    null_rate: NullRate = NullRate()
    """When a feature's share of nulls alerts."""
    out_of_range: MaxRate = MaxRate(max_rate=Rate("1%", 0.01))
    """Share of numeric values outside the training range that alerts (`max_rate: 1%`)."""
    unseen_categories: MaxRate = MaxRate(max_rate=Rate("0.5%", 0.005))
    """Share of categorical values never seen in training that alerts (`max_rate: 0.5%`)."""
    volume: Volume = Volume()
    """When a drop in traffic or rows alerts."""


class QualityMetric(Strict):
    name: str
    """The metric, as the evaluation job reports it (`recall`, `precision`, `f1`, `rmse`,
    `false_negative_rate`)."""
    min: Bound | None = None
    """Lowest acceptable value (`0.85`, or `85%`); below it the metric alerts."""
    max: Bound | None = None
    """Highest acceptable value (`3%`, `12.5`); above it the metric alerts."""
    window: Duration
    """Window the metric is computed over once labels arrive (`1d`, `4h`)."""
    broken: bool = Field(
        False,
        description="Past this bar the model is broken: page on-call (and roll back during a "
        "rollout)",
    )


class Proxy(Strict):
    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    """Name of the proxy metric (lowercase, digits, `_`): `ctr`."""
    numerator: Annotated[str, Field(pattern=r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    """Prometheus counter counted on top (`recsys_clicks_total`)."""
    denominator: Annotated[str, Field(pattern=r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")] | None = None
    """Prometheus counter it is divided by; default `mlcp_predictions_total`."""
    min: Bound | None = None
    """Lowest acceptable value of the ratio (`2%`)."""
    max: Bound | None = None
    """Highest acceptable value of the ratio."""
    window: Duration
    """Window the ratio is computed over (`1h`)."""
    broken: bool = False
    """Past this bar the model is broken: page on-call (and roll back during a rollout)."""


class Labels(Strict):
    delay: Duration = Duration("1d", 86400.0)
    """How long ground truth takes to arrive (`30d` for chargebacks); quality is measured only on
    labelled predictions."""


class Quality(Strict):
    labels: Labels = Labels()
    """When ground-truth labels arrive."""
    metrics: list[QualityMetric] = []
    """Quality bars on labelled data, each with a window (`{name: recall, min: 0.85, window:
    1d}`)."""
    proxies: list[Proxy] = []
    """Label-free signals computed from counters (a click-through rate) with their bars, for
    models whose labels come late."""


class TrainingData(Strict):
    source: Text
    """Where training data is read (`s3://acme-data/fraud/transactions/`, a table)."""
    window: Duration
    """How much recent data each training run uses (`90d`)."""
    min_rows: Annotated[int, Field(ge=1, le=10**12), WHOLE] = 1000
    """Fewest rows a training run accepts; fewer fails the run before training."""


SearchInt = Annotated[int, Field(ge=-(10**12), le=10**12), WHOLE]
SearchFloat = Annotated[float, Field(ge=-1e12, le=1e12)]


class SearchParam(Strict):
    """The values one hyperparameter may take: `int` or `float` range, or `choices`."""

    int_: list[SearchInt] | None = Field(None, alias="int", min_length=2, max_length=2)
    """Integer range searched, `[low, high]` (`[3, 10]`)."""
    float_: list[SearchFloat] | None = Field(None, alias="float", min_length=2, max_length=2)
    """Float range searched, `[low, high]` (`[0.01, 0.3]`)."""
    choices: list[str | int | float | bool] | None = Field(None, min_length=1)
    """Values to choose from (`[gini, entropy]`)."""
    log: bool = False
    """Search the range on a log scale (for learning rates, regularization)."""


class Tuning(Strict):
    trials: Annotated[int, Field(ge=1, le=10000), WHOLE] = 20
    """Hyperparameter trials per retraining."""
    timeout: Duration = Duration("1h", 3600.0)
    """Longest the search may run (`1h`); the best trial so far wins."""
    space: dict[str, SearchParam] = {}
    """The search space, by hyperparameter name (`learning_rate: {float: [0.01, 0.3], log:
    true}`)."""


class Compute(Strict):
    instance_type: InstanceType = "m5.xlarge"
    """EC2 type of the training job (`m5.xlarge`)."""
    spot: bool = True
    """Train on spot capacity (cheaper; an interrupted job restarts)."""
    max_runtime: Duration = Duration("4h", 4 * 3600.0)
    """Longest a training job may run (`4h`) before it is stopped."""


class Gate(Strict):
    metric: str
    """The metric the candidate must improve to be promoted (`f1`, `rmse`)."""
    min_improvement: Rate = Rate("0%", 0.0)
    """Least improvement over the model in production, relative (`2%`); `0%` only asks it not to
    be worse."""
    alpha: Annotated[float, Field(gt=0, lt=1)] = 0.05
    """Significance level of the test that the improvement is real (0.05: 5% risk of promoting by
    chance)."""


class Retraining(Strict):
    cadence: str = Field(
        description="When the model is retrained: "
        + ", ".join(f"`{name}`" for name in CADENCES)
        + ' or a cron expression (`"0 3 * * 1"`), read in mlcp.yaml\'s aws.schedule_timezone'
    )
    data: TrainingData
    """The training data: source, window and minimum size."""
    entrypoint: Annotated[str, Field(pattern=r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")]
    """The training function, `module:function` (`fraud_model.train:main`)."""
    tuning: Tuning = Tuning()
    """Hyperparameter search run at each retraining."""
    compute: Compute = Compute()
    """Where training runs."""
    gate: Gate
    """What a retrained model must show to replace the one in production."""


class Shadow(Strict):
    duration: Duration = Duration("48h", 48 * 3600.0)
    """How long the candidate runs in shadow (sees traffic, answers nothing) before canary
    (`48h`)."""
    max_divergence: Rate = Rate("5%", 0.05)
    """Largest share of shadow predictions allowed to differ from production (`5%`); more blocks
    the promotion."""


class Rollout(Strict):
    shadow: Shadow | None = None
    """A shadow phase before canary: the candidate scores real traffic without answering."""
    stages: list[Int] = [5, 25, 100]
    """Canary traffic percentages, in order, ending at 100 (`[5, 25, 100]`)."""
    bake_time: Duration = Duration("2h", 7200.0)
    """How long each stage must stay healthy before the next (`2h`)."""
    rollback_on: list[str] | None = Field(
        None,
        description="Signals whose breach rolls a canary back; default: the declared latency "
        "p99 and error SLAs and the broken quality bars",
    )
    candidate: ArtifactRef | None = None
    """The artifact being rolled out; required whenever state is not `stable`."""
    state: str = Field(
        "stable",
        description="Where the rollout is: `stable`, `shadow`, `canary-N` (N a declared stage) "
        "or `full`; changed by `mlcp promote` and `mlcp rollback`",
    )
    since: Timestamp | None = Field(
        None,
        description="When the state was entered (`2026-11-30T08:00:00Z`); written by "
        "`mlcp promote` and `mlcp rollback`",
    )


class Fallback(Strict):
    strategy: Literal["previous_version", "rules", "static", "non_personalized"]
    """What answers when the model is broken: `previous_version`, `rules`, `static` or
    `non_personalized`."""
    recovery: Duration = Duration("5m", 300.0)
    """How long the fallback must take over within (`5m`)."""


class OnCall(Strict):
    escalation_policy: Text | None = None
    """PagerDuty escalation policy for pages; default: mlcp.yaml's
    pagerduty.default_escalation_policy."""
    urgency: Urgency | None = None  # None: by tier (domain.DEFAULT_URGENCY)
    """PagerDuty urgency of pages: `high`, `low` or `dynamic`; default: by tier."""
    slack: Annotated[str, Field(pattern=r"^#[a-z0-9][a-z0-9_-]{0,79}$")] | None = None
    """Slack channel for tickets and notices (`#risk-ml-alerts`)."""


class Cost(Strict):
    monthly_budget: Budget | None = Field(None, examples=[500])
    """USD per month the model may cost; `mlcp plan` warns when its estimate is over."""


class ModelSpec(Strict):
    """The top of a spec file (``kind: Model``)."""

    apiVersion: Literal["mlcp/v1"]
    """Version of the spec format: `mlcp/v1`."""
    kind: Literal["Model"]
    """`Model`: one model per file."""
    metadata: Metadata
    """Who the model is: name, team, owners, tier, domain."""
    task: Task
    """What the model predicts, and whether it needs a GPU."""
    serving: Serving
    """How the model serves: realtime endpoint or batch job, machines, scaling, artifact."""
    sla: Sla = Sla()
    """What callers are promised: latency, error rate, availability, throughput."""
    features: Features = Features()
    """The input features watched for data health, and per-feature thresholds."""
    drift: Drift = Drift()
    """When input data counts as drifted, null, out of range or missing."""
    quality: Quality = Quality()
    """Quality bars on labelled data and label-free proxies; `broken: true` defines a broken
    model."""
    retraining: Retraining | None = None
    """How and when the model is retrained, and the gate a new version must pass."""
    rollout: Rollout = Rollout()
    """How a new version reaches production: shadow, canary stages, bake time, current state."""
    fallback: Fallback | None = None
    """What answers when the model is broken."""
    oncall: OnCall = OnCall()
    """Who is paged and where notices go."""
    cost: Cost = Cost()
    """The model's monthly budget."""
