"""The PSI ceiling: no two distributions, with shares floored at epsilon, are further apart."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize  # type: ignore[import-untyped]

from controlplane import contract
from controlplane.monitor import psi

EPS = 1e-4


def test_the_ceiling_by_hand() -> None:
    """Training all in one bin, serving all in another: each of the two bins adds
    (1 - eps) * ln(1 / eps), every other bin (eps against eps) adds 0."""
    by_hand = 2 * (1 - 1e-4) * math.log(1e4)
    assert by_hand == pytest.approx(18.4188, abs=1e-4)
    assert contract.psi_ceiling(EPS) == pytest.approx(by_hand, rel=1e-12)
    assert contract.psi_ceiling(contract.PSI_EPSILON) == contract.PSI_CEILING


@pytest.mark.parametrize("bins", [2, 3, 11, 103])
def test_all_mass_moved_to_one_bin_reaches_it_whatever_the_bin_count(bins: int) -> None:
    expected, actual = np.zeros(bins), np.zeros(bins)
    expected[0], actual[-1] = 1.0, 1.0
    assert psi(actual, expected, EPS) == pytest.approx(contract.psi_ceiling(EPS), rel=1e-12)


@pytest.mark.parametrize("bins", [2, 3, 5, 11])
def test_no_pair_of_distributions_exceeds_it(bins: int) -> None:
    """Random pairs, and a local optimizer started from each, stay at or under it."""
    rng = np.random.default_rng(bins)
    ceiling = contract.psi_ceiling(EPS)

    def negative_psi(x: np.ndarray) -> float:
        a, e = np.abs(x[:bins]), np.abs(x[bins:])
        return -psi(a / a.sum(), e / e.sum(), EPS)

    for _ in range(40):
        start = rng.dirichlet(np.full(bins, 0.3), size=2).ravel() + 1e-12
        assert -negative_psi(start) <= ceiling
        best = optimize.minimize(negative_psi, start, method="Nelder-Mead")
        assert -best.fun <= ceiling * (1 + 1e-12)
