"""The facts every part of mlcp reads, against hand-written expectations."""

from __future__ import annotations

import pytest

from controlplane.domain import (
    RolloutStates,
    candidate_weight,
    error_budget,
    error_budget_source,
    is_gpu_instance,
    rollback_signals,
    rollout_state,
)

# --- the rollout state machine: every step written out by hand ------------------

# (state, next, previous) for stages [5, 25, 100] with a shadow phase.
FIVE_TWENTYFIVE = [
    ("stable", "shadow", "full"),
    ("shadow", "canary-5", "stable"),
    ("canary-5", "canary-25", "shadow"),
    ("canary-25", "full", "canary-5"),
    ("full", "stable", "canary-25"),
]
# The same stages without a shadow phase: stable goes straight to the first canary.
FIVE_TWENTYFIVE_NO_SHADOW = [
    ("stable", "canary-5", "full"),
    ("canary-5", "canary-25", "stable"),
    ("canary-25", "full", "canary-5"),
    ("full", "stable", "canary-25"),
]
TEN = [
    ("stable", "shadow", "full"),
    ("shadow", "canary-10", "stable"),
    ("canary-10", "full", "shadow"),
    ("full", "stable", "canary-10"),
]
TEN_NO_SHADOW = [
    ("stable", "canary-10", "full"),
    ("canary-10", "full", "stable"),
    ("full", "stable", "canary-10"),
]


@pytest.mark.parametrize(
    ("stages", "shadow", "steps"),
    [
        ((5, 25, 100), True, FIVE_TWENTYFIVE),
        ((5, 25, 100), False, FIVE_TWENTYFIVE_NO_SHADOW),
        ((10, 100), True, TEN),
        ((10, 100), False, TEN_NO_SHADOW),
    ],
)
def test_next_and_previous_of_every_state(
    stages: tuple[int, ...], shadow: bool, steps: list[tuple[str, str, str]]
) -> None:
    machine = RolloutStates(stages, shadow=shadow)
    assert machine.states == tuple(state for state, _, _ in steps)
    for state, after, before in steps:
        assert machine.next(state) == after, state
        assert machine.previous(state) == before, state


def test_a_single_stage_of_100_goes_from_shadow_to_full() -> None:
    machine = RolloutStates((100,))
    assert machine.states == ("stable", "shadow", "full")
    assert machine.next("shadow") == "full"


@pytest.mark.parametrize("state", ["canary-50", "canary", "Full", ""])
def test_a_state_the_stages_do_not_declare_is_refused(state: str) -> None:
    with pytest.raises(ValueError, match="is not one of stable, shadow, canary-5, canary-25, full"):
        RolloutStates((5, 25, 100)).next(state)


@pytest.mark.parametrize(
    ("state", "weight"),
    [("stable", 0), ("shadow", 0), ("canary-5", 5), ("canary-25", 25), ("full", 100)],
)
def test_candidate_weight(state: str, weight: int) -> None:
    assert candidate_weight(state) == weight


# Every fact of every kind of state, written out by hand from the README's rollout section:
# (name, kind, weight, candidate runs, mirrored, wait, evidence to leave, beside stable, at rest)
STATE_FACTS = [
    ("stable", "stable", 0, False, False, "", "", False, True),
    ("shadow", "shadow", 0, True, True, "shadow duration", "divergence", True, False),
    ("canary-5", "canary", 5, True, False, "bake time", "", True, False),
    ("canary-99", "canary", 99, True, False, "bake time", "", True, False),
    ("full", "full", 100, True, False, "bake time", "", False, False),
]


@pytest.mark.parametrize(
    ("name", "kind", "weight", "runs", "mirrored", "wait", "evidence", "beside", "rest"),
    STATE_FACTS,
)
def test_each_state_is_a_record_of_its_facts(
    name: str,
    kind: str,
    weight: int,
    runs: bool,
    mirrored: bool,
    wait: str,
    evidence: str,
    beside: bool,
    rest: bool,
) -> None:
    state = rollout_state(name)
    assert (state.name, state.kind, state.weight) == (name, kind, weight)
    assert (state.candidate_runs, state.mirrored, state.wait) == (runs, mirrored, wait)
    assert (state.exit_evidence, state.beside_stable, state.at_rest) == (evidence, beside, rest)


def test_a_state_record_says_what_the_state_does() -> None:
    assert (
        rollout_state("canary-25").describe("v2", "v1")
        == "v2 takes 25% of production traffic, v1 the other 75%."
    )
    assert rollout_state("shadow").describe("v2", "v1") == (
        "v2 answers a copy of every request beside v1; it serves no one."
    )


@pytest.mark.parametrize("name", ["canary-0", "canary-100", "canary-x", "canary-", "Full", ""])
def test_a_name_that_is_no_state_has_no_record(name: str) -> None:
    with pytest.raises(ValueError, match="is not a rollout state"):
        rollout_state(name)
    assert candidate_weight(name) == 0


# --- the error budget ------------------------------------------------------------


@pytest.mark.parametrize(
    ("availability", "error_rate", "budget", "source"),
    [
        (0.999, None, 0.001, "availability"),  # 1 - 99.9%, as a decimal, not 0.0010000000000000009
        (0.995, 0.001, 0.005, "availability"),  # availability wins when both are set
        (None, 0.001, 0.001, "error_rate"),
        (None, None, None, None),
        (1.0, 0.002, 0.002, "error_rate"),  # 100% leaves no budget: the error rate is the budget
    ],
)
def test_error_budget(
    availability: float | None, error_rate: float | None, budget: float | None, source: str | None
) -> None:
    assert error_budget(availability, error_rate) == budget
    assert error_budget_source(availability, error_rate) == source


# --- signals and instances ---------------------------------------------------------


def test_rollback_signals_in_the_order_a_person_reads_them() -> None:
    assert rollback_signals(["p99", "p50"], True, ["recall", "ctr"]) == [
        "latency_p50",
        "latency_p99",
        "error_rate",
        "recall",
        "ctr",
    ]
    assert rollback_signals([], False, []) == []


@pytest.mark.parametrize(
    ("instance", "gpu"),
    [
        ("ml.g5.xlarge", True),
        ("g5.xlarge", True),
        ("ml.p4d.24xlarge", True),
        ("inf2.xlarge", True),
        ("ml.c5.xlarge", False),
        ("m5.large", False),
        ("ml.g5", True),
        ("gg5.xlarge", False),
    ],
)
def test_gpu_instances(instance: str, gpu: bool) -> None:
    assert is_gpu_instance(instance) is gpu
