"""Feature bins for tests: a reference profile, counts with a chosen PSI, and
PSI computed here in Python from the same counts the test feeds Prometheus."""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import cache

from controlplane import contract
from controlplane.model import FeatureKind

TOTAL = 100_000  # observations of a feature per interval
NULL_SHARE = 0.02  # the reference (training) share of nulls
CATEGORIES = {"cat_a": 0.4, "cat_b": 0.3, "cat_c": 0.15, "cat_d": 0.1, contract.BIN_OTHER: 0.03}

Counts = dict[str, int]

# Prometheus and Python add the per-bin terms in different orders, so the two
# PSI values may differ in the last bits; promtool compares samples exactly.
# Both sides are rounded to this step, the way PromQL's round() does it.
PRECISION = 1e-9


@cache
def reference(kind: FeatureKind, bins: int) -> dict[str, float]:
    """Training shares per bin, as the exporter publishes them (epsilon-floored)."""
    if kind == "numeric":
        shares = {contract.numeric_bin_label(i): (1 - NULL_SHARE) / bins for i in range(bins)}
    else:
        shares = {**CATEGORIES, contract.BIN_UNSEEN: contract.PSI_EPSILON}
    return {**shares, contract.BIN_NULL: NULL_SHARE}


def psi(counts: Mapping[str, int], ref: Mapping[str, float]) -> float:
    """Σ (a − e)·ln(a/e) over observed and reference bins, shares floored at epsilon."""
    total = sum(counts.values())
    eps = contract.PSI_EPSILON
    value = 0.0
    for name in sorted(set(counts) | set(ref)):
        actual = max(counts.get(name, 0) / total, eps)
        expected = max(ref[name], eps) if name in ref else eps
        value += (actual - expected) * math.log(actual / expected)
    return value


def rounded(value: float) -> float:
    """PromQL's round(value, PRECISION), bit for bit."""
    inverse = 1.0 / PRECISION
    return math.floor(value * inverse + 0.5) / inverse


def as_counts(shares: Mapping[str, float]) -> Counts:
    return {name: round(share * TOTAL) for name, share in shares.items()}


def shifted(ref: Mapping[str, float], delta: float) -> Counts:
    """Counts with a share delta of the mass moved into the first bin."""
    scale = sum(ref.values())
    first = next(iter(ref))
    return as_counts(
        {n: (1 - delta) * e / scale + (delta if n == first else 0.0) for n, e in ref.items()}
    )


@cache
def _with_psi(
    kind: FeatureKind, bins: int, target: float, above: bool
) -> tuple[tuple[str, int], ...]:
    ref = reference(kind, bins)
    if psi(shifted(ref, 1.0), ref) < target:
        return ()
    low, high = 0.0, 1.0
    for _ in range(60):
        middle = (low + high) / 2
        if psi(shifted(ref, middle), ref) >= target:
            high = middle
        else:
            low = middle
    return tuple(shifted(ref, high if above else low).items())


def with_psi(kind: FeatureKind, bins: int, target: float, above: bool) -> Counts | None:
    """Counts whose PSI is just at or above target (above) or just below it, if reachable."""
    found = _with_psi(kind, bins, target, above)
    return dict(found) if found else None


def with_share(ref: Mapping[str, float], name: str, share: float) -> Counts:
    """Reference-like counts where bin `name` holds `share` of the values."""
    rest = sum(e for n, e in ref.items() if n != name)
    return as_counts({n: share if n == name else e / rest * (1 - share) for n, e in ref.items()})
