"""What a spec change means, read from spec texts edited as a person would edit them."""

from __future__ import annotations

from controlplane.compile import compile_sources
from controlplane.model import Model
from controlplane.plan.specdiff import spec_changes
from controlplane.plan.types import FieldChange
from tests.memory import edited, example_sources


def model(name: str, **texts: str) -> Model:
    result = compile_sources(*example_sources(**texts))
    assert result.ok, result.diagnostics
    return next(c.model for c in result.compiled if c.model.name == name)


def changes(name: str, file: str, old: str, new: str) -> list[FieldChange]:
    key = file.removesuffix(".yaml").replace("-", "_")
    return spec_changes(model(name), model(name, **{key: edited(file, old, new)}))


def test_rollback_to_stable() -> None:
    [change] = changes("recommender", "recommender.yaml", "state: canary-25", "state: stable")
    assert change.meaning == (
        "rolled back canary-25 → stable: all traffic returns to the stable variant"
    )
    assert not change.risky


def test_skipping_a_stage_is_a_risk() -> None:
    [change] = changes("fraud-detector", "fraud-detector.yaml", "state: shadow", "state: full")
    assert change.meaning == "promoted shadow → full, skipping canary-5, canary-25"
    assert change.risky


def test_latency_tightened() -> None:
    [change] = changes("recommender", "recommender.yaml", "p99: 120ms", "p99: 100ms")
    assert (change.path, change.before, change.after) == ("sla.latency.p99", "120ms", "100ms")
    assert change.meaning.startswith("tightened") and not change.risky


def test_availability_lowered_is_loosened() -> None:
    [change] = changes(
        "recommender", "recommender.yaml", "availability: 99.95%", "availability: 99.5%"
    )
    assert (change.before, change.after) == ("99.95%", "99.5%")
    assert change.meaning.startswith("loosened") and change.risky


def test_cadence_changed() -> None:
    [change] = changes("recommender", "recommender.yaml", "cadence: weekly", "cadence: daily")
    assert change.meaning == "retraining cadence changed from weekly to daily"


def test_quality_bar_removed_is_a_risk() -> None:
    found = changes(
        "recommender", "recommender.yaml", "    - {name: map, min: 0.2, window: 1d}\n", ""
    )
    removed = [c for c in found if c.path == "quality.metrics[map]"]
    assert removed and removed[0].after is None and removed[0].risky


def test_reordered_features_are_no_change() -> None:
    assert (
        changes(
            "recommender",
            "recommender.yaml",
            "categorical: [device, country, item_category]",
            "categorical: [country, device, item_category]",
        )
        == []
    )


def test_fallback_removed_is_a_risk() -> None:
    [change] = changes(
        "demand-forecast",
        "demand-forecast.yaml",
        "fallback:\n  strategy: previous_version\n  recovery: 5m\n",
        "",
    )
    assert (change.path, change.before, change.after) == (
        "fallback", "{strategy: previous_version, recovery: 5m}", None,
    )  # fmt: skip
    assert change.risky and change.meaning.startswith("fallback removed")


def test_the_moment_a_state_was_entered_reads_as_the_spec_writes_it() -> None:
    [change] = changes(
        "recommender",
        "recommender.yaml",
        'since: "2026-11-29T14:00:00Z"',
        'since: "2026-11-30T08:15:00Z"',
    )
    assert (change.path, change.before, change.after) == (
        "rollout.since",
        "2026-11-29T14:00:00Z",
        "2026-11-30T08:15:00Z",
    )


def test_null_ratio_is_named_by_its_spec_path() -> None:
    [change] = changes(
        "fraud-detector",
        "fraud-detector.yaml",
        "max_ratio_to_training: 2,",
        "max_ratio_to_training: 3,",
    )
    assert (change.path, change.before, change.after) == (
        "drift.null_rate.max_ratio_to_training", "2", "3",
    )  # fmt: skip
    assert change.meaning.startswith("loosened") and change.risky


def test_instances_are_named_as_the_spec_writes_them() -> None:
    more = model(
        "demand-forecast",
        demand_forecast=edited(
            "demand-forecast.yaml", "instances: {min: 1, max: 4}", "instances: {min: 2, max: 4}"
        ),
    )
    [change] = spec_changes(more, model("demand-forecast"))
    assert (change.path, change.before, change.after) == ("serving.instances.min", "2", "1")
    assert change.meaning == "fewer instances at rest: less headroom for load and failures"


def test_a_model_wide_psi_bar_is_one_change_not_one_per_feature() -> None:
    # Five features take the model-wide bar; `amount` overrides it and keeps its own 0.3.
    [change] = changes(
        "fraud-detector", "fraud-detector.yaml", "critical: 0.25, bins", "critical: 0.3, bins"
    )
    assert (change.path, change.before, change.after) == ("drift.psi.critical", "0.25", "0.3")
    assert change.meaning.startswith("loosened") and change.risky


def test_a_feature_override_is_named_where_it_is_written() -> None:
    [change] = changes(
        "fraud-detector",
        "fraud-detector.yaml",
        "warn: 0.15, critical: 0.3}",
        "warn: 0.15, critical: 0.2}",
    )
    assert (change.path, change.before, change.after) == (
        "features.overrides[amount].psi.critical", "0.3", "0.2",
    )  # fmt: skip
    assert change.meaning.startswith("tightened") and not change.risky


def test_a_feature_added_is_named_by_its_list() -> None:
    [change] = changes(
        "fraud-detector", "fraud-detector.yaml", "categorical: [country, mcc, channel]",
        "categorical: [country, mcc, channel, device]",
    )  # fmt: skip
    assert (change.path, change.before) == ("features.categorical[device]", None)


def test_budget_is_named_by_its_spec_path() -> None:
    found = changes(
        "recommender", "recommender.yaml", "monthly_budget: 9000", "monthly_budget: 9500"
    )
    assert [c.path for c in found] == ["cost.monthly_budget"]
