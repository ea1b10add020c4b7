"""The Prometheus exporter serving code imports: one ``ModelMonitor`` per model.

Every series of the metric contract is created at construction, every bin at
zero, so rates exist from the first scrape. ``observe()`` resolves nothing by
label: bins are found with ``bisect`` on the profile's fixed edges and a dict of
known categories, and land in pre-computed slots.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from typing import Any

from controlplane import contract
from controlplane.model import Model
from controlplane.monitor.binning import category_index, count_column
from controlplane.monitor.metrics import ServingMetrics
from controlplane.monitor.profile import NumericProfile, Profile
from controlplane.monitor.series import LocalSeries, NativeSeries, multiprocess_enabled
from controlplane.monitor.source import category_key, open_source

# (name, edges, first slot, null slot, min, max, out-of-range slot)
_NumericPlan = tuple[str, list[float], int, int, float, float, int]
# (name, category -> slot, unseen slot, null slot)
_CategoricalPlan = tuple[str, dict[Any, int], int, int]


class ModelMonitor:
    """Exports the contract's series for ``model`` with the bins of ``profile``.

    ``registry`` is the monitor's own ``CollectorRegistry`` (serve it at /metrics).
    Thread-safe: counts are updated under one lock per call.
    """

    def __init__(
        self,
        model: Model,
        profile: Profile,
        *,
        variants: tuple[str, ...] | None = None,
        multiprocess: bool | None = None,
    ) -> None:
        self.model = model
        self.profile = profile
        self.references = profile.features_for(model)
        self.metrics = ServingMetrics(model, profile, variants)
        self.registry = self.metrics.registry
        bins, out_of_range = self._plan()
        if multiprocess_enabled() if multiprocess is None else multiprocess:
            self.series: LocalSeries | NativeSeries = NativeSeries(
                model.name, bins, out_of_range, self.registry
            )
        else:
            self.series = LocalSeries(model.name, bins, out_of_range)
            self.registry.register(self.series)

    def _plan(self) -> tuple[list[tuple[str, str]], list[str]]:
        """Slots: every (feature, bin) in model order, then one out-of-range slot per numeric."""
        references = self.references
        bins = [(r.name, label) for r in references for label in r.labels]
        numeric = [r for r in references if isinstance(r, NumericProfile)]
        self._offsets: dict[str, int] = {}
        self._out_slots = {r.name: len(bins) + k for k, r in enumerate(numeric)}
        self._numeric: list[_NumericPlan] = []
        self._categorical: list[_CategoricalPlan] = []
        first = 0
        for reference in references:
            self._offsets[reference.name] = first
            null = first + len(reference.labels) - 1
            if isinstance(reference, NumericProfile):
                # No training values means no range to be out of (as count_column does).
                low = reference.min if reference.min is not None else float("-inf")
                high = reference.max if reference.max is not None else float("inf")
                out = self._out_slots[reference.name]
                edges = list(reference.edges)
                self._numeric.append((reference.name, edges, first, null, low, high, out))
            else:
                lookup: dict[Any, int] = {
                    k: first + i for k, i in category_index(reference).items()
                }
                self._categorical.append((reference.name, lookup, null - 1, null))
            first += len(reference.labels)
        return bins, [r.name for r in numeric]

    def observe(self, row: Mapping[str, Any]) -> None:
        """Count one row of features (a mapping; missing keys and None/NaN count as null).

        A value of the wrong type (a string for a numeric feature, a list for a
        categorical one) raises ``TypeError`` naming the feature, and nothing of
        the row is counted: it is a bug in the calling code, the same on every
        request, and counting it as null would page someone for a null-rate
        spike that is no property of the data.
        """
        hits: list[int] = []
        get = row.get
        for name, edges, first, null, low, high, out in self._numeric:
            value = get(name)
            if value is None or value != value:
                hits.append(null)
                continue
            try:
                slot = first + bisect_right(edges, value)
                outside = value < low or value > high
            except TypeError:
                raise _wrong_type(name, "numeric", value, "a number or None") from None
            hits.append(slot)
            if outside:
                hits.append(out)
        for name, lookup, unseen, null in self._categorical:
            value = get(name)
            try:
                known = lookup.get(value)
            except TypeError:  # unhashable: no category can be a list or a dict
                raise _wrong_type(name, "categorical", value, "a str, int, bool or None") from None
            if known is None:
                key = category_key(value)
                known = null if key is None else lookup.get(key, unseen)
            hits.append(known)
        self.series.add(hits)

    def observe_batch(self, frame: Any) -> None:
        """Count every row of a pyarrow Table/RecordBatch, pandas DataFrame or dict of columns."""
        amounts: dict[int, int] = {}
        out_slots = self._out_slots
        for batch in open_source(frame, self.model, require_rows=False).batches:
            for reference in self.references:
                counted = count_column(reference, batch.column(reference.name))
                first = self._offsets[reference.name]
                for position, count in enumerate(counted.bins.tolist()):
                    amounts[first + position] = amounts.get(first + position, 0) + count
                if reference.name in out_slots:
                    slot = out_slots[reference.name]
                    amounts[slot] = amounts.get(slot, 0) + counted.out_of_range
        self.series.add_many((slot, n) for slot, n in amounts.items() if n)

    def record_latency(self, seconds: float, variant: str = contract.VARIANT_STABLE) -> None:
        """One prediction request finished (successfully or not) after ``seconds``."""
        self.metrics.record_latency(seconds, variant)

    def record_error(self, variant: str = contract.VARIANT_STABLE) -> None:
        """The request was a failure; call it besides ``record_latency``."""
        self.metrics.record_error(variant)

    def record_outcomes(
        self, y_true: Any, y_pred: Any, *, query_ids: Any = None, threshold: float = 0.5
    ) -> None:
        """Labels arrived: add quality figures for the model's task (ranking needs query_ids)."""
        self.metrics.record_outcomes(y_true, y_pred, query_ids=query_ids, threshold=threshold)

    def record_shadow(self, stable: Any, candidate: Any, *, threshold: float = 0.5) -> None:
        """Both variants answered the same request: count how far the candidate strays.

        A class label, a score (against ``threshold``) or a probability list for
        classification; a number for regression; item ids, best first, for ranking.
        Only models with a shadow phase (``rollout.shadow``) have these series.
        """
        if self.metrics.shadow is None:
            raise ValueError(f"{self.model.name} declares no shadow phase (rollout.shadow)")
        self.metrics.shadow.record(stable, candidate, threshold)


def _wrong_type(name: str, kind: str, value: object, expected: str) -> TypeError:
    shown = repr(value)
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    return TypeError(
        f"feature {name!r} is {kind}: expected {expected}, got {type(value).__name__} {shown}"
    )
