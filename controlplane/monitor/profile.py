"""The reference profile: what training saw, in the bins serving will count.

Bins of a numeric feature are ``b00 .. bNN`` between fixed quantile edges
(``edges[i-1] <= v < edges[i]``) and ``null``. Bins of a categorical feature
are its known categories, ``other`` (the folded tail), ``unseen`` and
``null``. Every share is a fraction of all rows, so a feature's shares sum to 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from controlplane import contract
from controlplane.model import Model
from controlplane.monitor.errors import MonitorError
from controlplane.monitor.sketch import MANTISSA_BITS, RELATIVE_ERROR

FORMAT = "mlcp.profile/v1"
QUANTILE_METHOD = "log-bucket-histogram"
DEFAULT_MAX_CATEGORIES = 100
# Tail categories listed by name (so serving can tell "other" from "unseen").
MAX_TAIL_CATEGORIES = 10_000


@dataclass(frozen=True)
class NumericProfile:
    name: str
    dtype: str
    rows: int
    nulls: int
    min: float | None
    max: float | None
    edges: tuple[float, ...]
    counts: tuple[int, ...]  # non-null values per bin, len(edges) + 1 of them

    @property
    def kind(self) -> str:
        return "numeric"

    @property
    def labels(self) -> tuple[str, ...]:
        return (
            *(contract.numeric_bin_label(i) for i in range(len(self.counts))),
            contract.BIN_NULL,
        )

    def bin_counts(self) -> tuple[int, ...]:
        return (*self.counts, self.nulls)


@dataclass(frozen=True)
class CategoricalProfile:
    name: str
    dtype: str
    rows: int
    nulls: int
    categories: tuple[str, ...]  # by count, descending; ties by name
    counts: tuple[int, ...]
    other: int  # rows in the folded tail
    tail: tuple[str, ...]  # the tail's categories, sorted, at most MAX_TAIL_CATEGORIES
    tail_truncated: bool

    @property
    def kind(self) -> str:
        return "categorical"

    @property
    def labels(self) -> tuple[str, ...]:
        known = (contract.category_bin_label(c) for c in self.categories)
        return (*known, contract.BIN_OTHER, contract.BIN_UNSEEN, contract.BIN_NULL)

    def bin_counts(self) -> tuple[int, ...]:
        return (*self.counts, self.other, 0, self.nulls)


FeatureProfile = NumericProfile | CategoricalProfile


def reference_shares(feature: FeatureProfile) -> tuple[float, ...]:
    """Training share of each bin, in ``feature.labels`` order (not yet floored)."""
    rows = feature.rows
    return tuple(count / rows if rows else 0.0 for count in feature.bin_counts())


@dataclass(frozen=True)
class Profile:
    model: str
    rows: int
    bins: int
    max_categories: int
    features: tuple[FeatureProfile, ...]

    def feature(self, name: str) -> FeatureProfile:
        for feature in self.features:
            if feature.name == name:
                return feature
        raise KeyError(name)

    def features_for(self, model: Model) -> tuple[FeatureProfile, ...]:
        """The profile of each of the model's features, in model order; says which are missing.

        A profile that cannot serve as a reference (no rows, a feature never seen)
        is refused here too, for whoever built it in memory.
        """
        by_name = {feature.name: feature for feature in self.features}
        missing = [f.name for f in model.features if f.name not in by_name]
        if missing:
            raise MonitorError(f"profile has no feature(s): {', '.join(missing)}")
        chosen = tuple(by_name[f.name] for f in model.features)
        require_reference(self.rows, chosen, f"the profile of {self.model!r}")
        return chosen


def require_reference(rows: int, features: Sequence[FeatureProfile], where: str) -> None:
    """Refuse what cannot be a reference: no rows, or a feature with no value in any row.

    Against an empty reference every share is the epsilon floor, so every feature
    would read as drifted (PSI ~9); a feature null in every training row would read
    as drifted the moment serving sends it a value.
    """
    if rows == 0:
        raise MonitorError(f"{where}: no rows")
    empty = [f.name for f in features if f.nulls >= f.rows]
    if len(empty) == 1:
        raise MonitorError(f"{where}: feature {empty[0]!r} is null in all {rows} rows")
    if empty:
        names = ", ".join(repr(name) for name in empty)
        raise MonitorError(f"{where}: features {names} are null in all {rows} rows")


def short_of_rows(profile: Profile, model: Model, where: str) -> str | None:
    """A warning when the profiled data has fewer rows than retraining expects to train on."""
    retraining = model.retraining
    if retraining is None or profile.rows >= retraining.min_rows:
        return None
    return (
        f"{where}: {profile.rows} rows, fewer than retraining.data.min_rows "
        f"({retraining.min_rows}) of {model.name!r}"
    )


def quantile_method() -> dict[str, object]:
    return {
        "name": QUANTILE_METHOD,
        "mantissa_bits": MANTISSA_BITS,
        "relative_error": RELATIVE_ERROR,
    }
