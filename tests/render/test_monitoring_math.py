"""The Python side of the generated tests: PSI, histogram quantiles, value formats."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from controlplane import contract
from controlplane.render.monitoring import humanize
from controlplane.render.monitoring.promtests import histogram, psi


def test_psi_of_the_reference_itself_is_zero() -> None:
    ref = psi.reference("numeric", 10)
    assert psi.psi(psi.as_counts(ref), ref) < 1e-9


def test_psi_by_hand() -> None:
    ref = {"a": 0.5, "b": 0.5}
    counts = {"a": 3, "b": 1}  # shares 0.75 / 0.25
    expected = (0.75 - 0.5) * math.log(0.75 / 0.5) + (0.25 - 0.5) * math.log(0.25 / 0.5)
    assert psi.psi(counts, ref) == expected


def test_psi_floors_empty_bins_at_epsilon() -> None:
    ref = {"a": 0.5, "b": 0.5}
    eps = contract.PSI_EPSILON
    got = psi.psi({"a": 10, "b": 0}, ref)
    assert got == (1 - 0.5) * math.log(1 / 0.5) + (eps - 0.5) * math.log(eps / 0.5)


@settings(max_examples=30, deadline=None)
@given(
    target=st.floats(0.01, 2.0),
    above=st.booleans(),
    kind=st.sampled_from(["numeric", "categorical"]),
)
def test_counts_land_on_the_asked_side_of_a_psi_target(
    target: float, above: bool, kind: str
) -> None:
    counts = psi.with_psi(kind, 10, target, above)  # type: ignore[arg-type]
    assert counts is not None, "every target in 0.01-2 is reachable with 10 bins"
    value = psi.psi(counts, psi.reference(kind, 10))  # type: ignore[arg-type]
    assert (value >= target) if above else (value < target)
    assert abs(value - target) < 0.05 * target + 0.01


def test_histogram_quantile_interpolates_like_prometheus() -> None:
    # 100 observations: 50 at or below 0.1, 50 in (0.1, 0.2]; the median is 0.1,
    # the 0.75 quantile half way into the second bucket.
    buckets = [(0.1, 50), (0.2, 100), (math.inf, 100)]
    assert histogram.quantile(0.5, buckets) == 0.1
    assert histogram.quantile(0.75, buckets) == 0.15000000000000002
    assert histogram.quantile(0.99, [(0.1, 0), (0.2, 0), (math.inf, 10)]) == 0.2


@settings(max_examples=30, deadline=None)
@given(q=st.sampled_from([0.5, 0.95, 0.99]), target=st.floats(0.0011, 9.0))
def test_placed_histograms_put_the_quantile_near_the_target(q: float, target: float) -> None:
    buckets = histogram.placing(q, target)
    assert buckets is not None, "every target inside the bucket bounds can be placed"
    assert abs(histogram.quantile(q, buckets) - target) < 1e-3 * target + 1e-4


def test_value_formats_match_prometheus_template_functions() -> None:
    assert humanize.percent(0.0123) == "1.23%"
    assert humanize.percent(0.5) == "50%"
    assert humanize.duration(0.15) == "150ms"
    assert humanize.duration(0.0005) == "500us"
    assert humanize.duration(1.5) == "1.5s"
    assert humanize.duration(90) == "1m 30s"
    assert humanize.duration(90061) == "1d 1h 1m 1s"
    assert humanize.psi(0.12345) == "0.123"
    assert humanize.number(12345.0) == "1.234e+04"
