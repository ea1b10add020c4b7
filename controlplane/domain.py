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


def canary_state(percent: int) -> str:
    return f"{CANARY_PREFIX}{percent}"


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
    """Percent of production traffic the candidate takes in a state."""
    if state == FULL:
        return 100
    if state.startswith(CANARY_PREFIX):
        return int(state.removeprefix(CANARY_PREFIX))
    return 0
