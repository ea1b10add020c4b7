"""Facts about models in production that several parts of mlcp read, each defined once.

The checker refuses what these facts rule out, the normalizer derives values
from them, the renderers and (next) infrastructure, pipelines, on-call and the
plan read them. None of them depends on how a spec is written: this module
imports nothing from the spec layer or the model.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Tier = Literal["critical", "standard", "experimental"]
TaskType = Literal["classification", "regression", "ranking"]

TIERS: tuple[Tier, ...] = ("critical", "standard", "experimental")

Urgency = Literal["high", "low", "dynamic"]

# How a page reaches a person when neither the spec nor its tier default says: an
# experimental model's page is a low-urgency incident (no one is woken for it).
DEFAULT_URGENCY: dict[Tier, Urgency] = {
    "critical": "high",
    "standard": "high",
    "experimental": "low",
}
TASKS: tuple[TaskType, ...] = ("classification", "regression", "ranking")

# --- the SLA -------------------------------------------------------------------

# The latency percentiles an SLA may set, and the quantile each one is.
LATENCY_QUANTILES: dict[str, float] = {"p50": 0.5, "p95": 0.95, "p99": 0.99}
ERROR_RATE = "error_rate"


def latency_signal(quantile: str) -> str:
    """The signal name of a latency quantile, as `rollback_on` and the alerts say it."""
    return f"latency_{quantile}"


# Signals that `rollout.rollback_on` may name besides the spec's own quality bars.
SYSTEM_SIGNALS = (*(latency_signal(q) for q in LATENCY_QUANTILES), ERROR_RATE)

# Unless a spec says otherwise, a rollout rolls back on these (when declared) and every broken bar.
DEFAULT_ROLLBACK_SYSTEM_SIGNALS = (latency_signal("p99"), ERROR_RATE)


def rollback_signals(
    latency: Iterable[str], error_budget: bool, quality: Iterable[str]
) -> list[str]:
    """The signals `rollback_on` may name: declared latency quantiles, errors, quality bars."""
    known = [latency_signal(q) for q in LATENCY_QUANTILES if q in set(latency)]
    if error_budget:
        known.append(ERROR_RATE)
    return [*known, *quality]


def error_budget_source(
    availability: float | None, error_rate: float | None
) -> Literal["availability", "error_rate"] | None:
    """Which SLA field sets the error budget: availability when it is a usable target."""
    if availability is not None and 0 < availability < 1:
        return "availability"
    if error_rate is not None and 0 < error_rate < 1:
        return "error_rate"
    return None


def error_budget(availability: float | None, error_rate: float | None) -> float | None:
    """The share of requests that may fail: 1 − availability, else the error-rate SLA, else none.

    Rounded to ten digits: "99.9%" parsed as a float is 0.9990000000000001, and
    the budget is a decimal the spec author wrote.
    """
    source = error_budget_source(availability, error_rate)
    if source == "availability" and availability is not None:
        return round(1 - availability, 10)
    return error_rate if source == "error_rate" else None


# --- quality -------------------------------------------------------------------

QUALITY_METRICS: dict[str, tuple[str, ...]] = {
    "classification": (
        "precision",
        "recall",
        "f1",
        "accuracy",
        "false_negative_rate",
        "false_positive_rate",
    ),
    "regression": ("mae", "rmse", "r2"),
    "ranking": ("ndcg", "map"),
}

# Metrics where a lower value is better; the gate and the alerts flip for them.
LOWER_IS_BETTER = frozenset({"false_negative_rate", "false_positive_rate", "mae", "rmse"})

# Metrics that are shares, so every bar on them lies between 0 and 1 (MAE, RMSE and R² do not).
RATE_METRICS = frozenset({*QUALITY_METRICS["classification"], "ndcg", "map"})

# Where a bar on each metric may lie, both ends excluded (MLCP229): shares between 0 and 1;
# R² below 1 (a bar under -1 asks for twice the error of predicting the mean); errors, in
# the unit of the target, above 0 and finite.
METRIC_RANGES: dict[str, tuple[float, float]] = {
    **{name: (0.0, 1.0) for name in RATE_METRICS},
    "r2": (-1.0, 1.0),
    "mae": (0.0, 1e12),
    "rmse": (0.0, 1e12),
}
# A proxy is the ratio of two counters' increases: above 0, and finite.
PROXY_RANGE = (0.0, 1e6)


# --- compute -------------------------------------------------------------------

GPU_FAMILIES = ("g4dn", "g5", "g6", "g6e", "p3", "p4d", "p4de", "p5", "inf1", "inf2", "trn1")


def instance_family(instance_type: str) -> str:
    """`g5` of `ml.g5.xlarge` and of `g5.xlarge`."""
    return instance_type.removeprefix("ml.").split(".")[0]


def is_gpu_instance(instance_type: str) -> bool:
    return instance_family(instance_type) in GPU_FAMILIES


# --- the rollout state machine -------------------------------------------------

STABLE, SHADOW, FULL = "stable", "shadow", "full"
CANARY_PREFIX = "canary-"

StateKind = Literal["stable", "shadow", "canary", "full"]
# The time a state must last before a promotion leaves it; "" for none.
Wait = Literal["", "shadow duration", "bake time"]
# What a promotion out of a state must have measured; "" for nothing.
ExitEvidence = Literal["", "divergence"]


@dataclass(frozen=True)
class RolloutState:
    """One state of a rollout and every fact the rest of mlcp reads off it.

    The steps, the commit messages, the endpoint's variants, the cost estimate,
    the checker and the plan read these fields instead of comparing state
    names, so a new state is one record here and its place in `RolloutStates`.
    """

    name: str
    kind: StateKind
    weight: int  # percent of production traffic the candidate takes
    candidate_runs: bool  # a candidate variant is deployed, so a candidate must be declared
    mirrored: bool  # the candidate answers a copy of every request and serves no one
    wait: Wait
    exit_evidence: ExitEvidence
    # What the state does, for a commit message: {candidate}, {stable}, {weight}, {rest}.
    meaning: str

    @property
    def at_rest(self) -> bool:
        """No rollout is under way: the serving artifact takes everything, no candidate runs."""
        return not self.candidate_runs

    @property
    def beside_stable(self) -> bool:
        """The candidate runs as a second variant beside the stable one (and is billed so)."""
        return self.candidate_runs and self.weight < 100

    def describe(self, candidate: str, stable: str) -> str:
        return self.meaning.format(
            candidate=candidate, stable=stable, weight=self.weight, rest=100 - self.weight
        )


_NAMED_STATES = {
    STABLE: RolloutState(
        STABLE, "stable", 0, False, False, "", "",
        "{candidate} becomes serving.artifact and the rollout ends.",
    ),
    SHADOW: RolloutState(
        SHADOW, "shadow", 0, True, True, "shadow duration", "divergence",
        "{candidate} answers a copy of every request beside {stable}; it serves no one.",
    ),
    FULL: RolloutState(
        FULL, "full", 100, True, False, "bake time", "",
        "{candidate} takes all production traffic; {stable} stays deployed for rollback.",
    ),
}  # fmt: skip


def canary_state(percent: int) -> str:
    return f"{CANARY_PREFIX}{percent}"


def rollout_state(name: str) -> RolloutState:
    """The record of a state name: stable, shadow, canary-N (0 < N < 100) or full."""
    if name in _NAMED_STATES:
        return _NAMED_STATES[name]
    percent = name.removeprefix(CANARY_PREFIX)
    if name.startswith(CANARY_PREFIX) and percent.isdigit() and 0 < int(percent) < 100:
        return RolloutState(
            canary_state(int(percent)), "canary", int(percent), True, False, "bake time", "",
            "{candidate} takes {weight}% of production traffic, {stable} the other {rest}%.",
        )  # fmt: skip
    raise ValueError(f"{name!r} is not a rollout state")


@dataclass(frozen=True)
class RolloutStates:
    """The states a model moves through, in order: stable → shadow → canary-N… → full → stable.

    Each stage below 100 of `rollout.stages` is a canary state; the stage of 100
    is `full`, after which the candidate becomes the serving artifact and the
    model is `stable` again. Without a shadow phase, stable leads to the first
    canary.
    """

    stages: tuple[int, ...]
    shadow: bool = True

    @property
    def states(self) -> tuple[str, ...]:
        canaries = tuple(canary_state(n) for n in self.stages if 0 < n < 100)
        return (STABLE, *((SHADOW,) if self.shadow else ()), *canaries, FULL)

    def next(self, state: str) -> str:
        """The state `mlcp promote` moves to; after full, stable again."""
        states = self.states
        return states[(self._index(state) + 1) % len(states)]

    def previous(self, state: str) -> str:
        """The state one step back; before stable, full (the cycle before the last release)."""
        states = self.states
        return states[self._index(state) - 1]

    def _index(self, state: str) -> int:
        try:
            return self.states.index(state)
        except ValueError:
            raise ValueError(f"{state!r} is not one of {', '.join(self.states)}") from None


def candidate_weight(state: str) -> int:
    """Percent of production traffic the candidate takes in a state (0 for a name that is none)."""
    try:
        return rollout_state(state).weight
    except ValueError:
        return 0
