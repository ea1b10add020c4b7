from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from controlplane import contract
from controlplane.model import PsiThreshold
from controlplane.monitor import MonitorError, build_profile, compute_drift, psi
from controlplane.monitor.drift import null_ratio_to_training
from tests.monitor.factories import make_frame, make_model

MODEL = make_model()


def plain_psi(actual: list[float], expected: list[float], eps: float) -> float:
    total = 0.0
    for a, e in zip(actual, expected, strict=True):
        a, e = max(a, eps), max(e, eps)
        total += (a - e) * math.log(a / e)
    return total


def test_psi_matches_hand_computed_cases() -> None:
    # Two bins, 0.5/0.5 against 0.25/0.75: (0.25 ln 2) + (-0.25 ln(2/3)).
    assert psi([0.25, 0.75], [0.5, 0.5]) == pytest.approx(0.25 * math.log(2) + 0.25 * math.log(1.5))
    # An empty reference bin costs a * ln(a / eps), not infinity.
    assert psi([0.95, 0.05], [1.0, 0.0], epsilon=1e-4) == pytest.approx(
        (0.95 - 1) * math.log(0.95) + (0.05 - 1e-4) * math.log(0.05 / 1e-4)
    )
    assert psi([0.1, 0.2, 0.7], [0.1, 0.2, 0.7]) == 0.0


@given(
    st.lists(st.floats(min_value=0, max_value=1), min_size=2, max_size=12).flatmap(
        lambda a: st.tuples(st.just(a), st.lists(st.floats(0, 1), min_size=len(a), max_size=len(a)))
    ),
    st.sampled_from([1e-6, 1e-4, 1e-2]),
)
def test_psi_agrees_with_the_plain_formula(
    pair: tuple[list[float], list[float]], eps: float
) -> None:
    actual, expected = pair
    assert psi(actual, expected, eps) == pytest.approx(plain_psi(actual, expected, eps), abs=1e-12)
    assert psi(actual, expected, eps) >= -1e-12


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=10_000), st.floats(min_value=0.0, max_value=0.3))
def test_a_sample_against_its_own_profile_is_near_zero(seed: int, nulls: float) -> None:
    frame = make_frame(2000, seed=seed, null_share=nulls)
    report = compute_drift(frame, MODEL, build_profile(frame, MODEL))
    assert all(f.psi == pytest.approx(0.0, abs=1e-12) for f in report.features)
    assert report.status == "ok"


def test_a_fresh_sample_from_the_same_distribution_stays_under_warn() -> None:
    profile = build_profile(make_frame(50_000, seed=1), MODEL)
    report = compute_drift(make_frame(20_000, seed=2), MODEL, profile)
    assert all(f.psi < 0.01 for f in report.features)


def test_psi_grows_as_the_shift_grows() -> None:
    profile = build_profile(make_frame(20_000, seed=1), MODEL)
    values = [
        compute_drift(make_frame(20_000, seed=2, shift=s), MODEL, profile).features[0].psi
        for s in (0.0, 0.1, 0.3, 0.6, 1.0, 2.0)
    ]
    assert values == sorted(values)
    assert values[0] < 0.01 < 0.25 < values[-1]


def test_unseen_categories_and_nulls_land_in_their_own_bins() -> None:
    profile = build_profile(make_frame(10_000, seed=1), MODEL)
    drifted = make_frame(1000, seed=2, categories=("US", "XX"), null_share=0.1)
    country = compute_drift(drifted, MODEL, profile).feature_named("country")
    amount = compute_drift(drifted, MODEL, profile).feature_named("amount")
    share_xx = drifted.column("country").to_pylist().count("XX") / 1000
    assert country.unseen_rate == pytest.approx(share_xx)
    assert amount.null_rate == pytest.approx(
        float(np.isnan(drifted.column("amount").to_numpy(zero_copy_only=False)).mean())
    )
    assert country.status == "critical"
    assert any("unseen categories" in r for r in country.reasons)


def test_a_new_category_at_five_percent_weighs_a_ln_a_over_eps() -> None:
    reference = make_frame(10_000, seed=1, categories=("US",))
    profile = build_profile(reference, MODEL)
    new = pa.table({"amount": [1.0] * 100, "age": [1] * 100, "country": ["US"] * 95 + ["XX"] * 5})
    country = compute_drift(new, MODEL, profile).feature_named("country")
    eps = contract.PSI_EPSILON
    assert country.psi == pytest.approx(
        (0.95 - 1) * math.log(0.95) + (0.05 - eps) * math.log(0.05 / eps)
    )


def test_statuses_follow_the_model_thresholds() -> None:
    model = make_model(
        overrides={"age": PsiThreshold(warn=0.01, critical=50.0)}, out_of_range_max=1.0
    )
    profile = build_profile(make_frame(20_000, seed=1), model)
    report = compute_drift(make_frame(20_000, seed=2, shift=1.0), model, profile)
    assert report.feature_named("age").status == "warn"
    assert report.feature_named("amount").status == "critical"
    assert report.status == "critical"


def test_null_and_range_limits() -> None:
    profile = build_profile(make_frame(10_000, seed=1, null_share=0.1), MODEL)
    frame = make_frame(10_000, seed=2, null_share=0.3)
    amount = compute_drift(frame, MODEL, profile).feature_named("amount")
    assert amount.null_ratio == pytest.approx(amount.null_rate / amount.training_null_rate)
    assert amount.status == "critical"
    assert null_ratio_to_training(0.0, 0.0) == 0.0
    assert null_ratio_to_training(0.01, 0.0) == pytest.approx(0.01 / contract.PSI_EPSILON)
    huge = pa.table(
        {"amount": [1e12] * 50 + [20.0] * 950, "age": [5] * 1000, "country": ["US"] * 1000}
    )
    ranged = compute_drift(huge, MODEL, profile).feature_named("amount")
    assert ranged.out_of_range_rate == pytest.approx(0.05)
    assert "out of range" in ranged.reasons[-1]


def test_profile_of_another_model_is_refused() -> None:
    profile = build_profile(make_frame(100), make_model(name="other-model"))
    with pytest.raises(MonitorError, match="profile is for model 'other-model'"):
        compute_drift(make_frame(100), MODEL, profile)
