"""Where feature-bin counts live: plain integers read at scrape time, or shared-memory counters.

A single serving process keeps counts in a Python list and exposes them through a
collector, so ``observe()`` costs a list increment per feature instead of a
locked ``Counter.inc()``. Under gunicorn (``PROMETHEUS_MULTIPROC_DIR`` set) the
counts must reach prometheus_client's per-process files, so each increment goes
to a pre-resolved ``Counter`` child instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from threading import Lock
from typing import Any

from prometheus_client import CollectorRegistry, Counter
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from controlplane import contract

BinKey = tuple[str, str]  # (feature, bin)

_VALUES_HELP = "Feature values seen, by reference bin (null, unseen, other are special bins)."
_OUT_HELP = "Numeric feature values outside the training min..max."


def multiprocess_enabled() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


class LocalSeries(Collector):
    """Counts in one flat list: ``bins`` first, then one out-of-range slot per numeric feature."""

    def __init__(self, model: str, bins: Sequence[BinKey], out_of_range: Sequence[str]) -> None:
        self.model = model
        self.bins = list(bins)
        self.out_of_range = list(out_of_range)
        self.counts = [0] * (len(self.bins) + len(self.out_of_range))
        self.lock = Lock()

    def add(self, hits: Iterable[int]) -> None:
        counts = self.counts
        with self.lock:
            for index in hits:
                counts[index] += 1

    def add_many(self, amounts: Iterable[tuple[int, int]]) -> None:
        with self.lock:
            for index, amount in amounts:
                self.counts[index] += amount

    def collect(self) -> Iterator[CounterMetricFamily]:
        with self.lock:
            snapshot = list(self.counts)
        labels = [contract.MODEL, contract.FEATURE, contract.BIN]
        values = CounterMetricFamily(contract.FEATURE_VALUES_TOTAL, _VALUES_HELP, labels=labels)
        for (feature, bin_label), count in zip(self.bins, snapshot, strict=False):
            values.add_metric([self.model, feature, bin_label], count)
        out = CounterMetricFamily(
            contract.FEATURE_OUT_OF_RANGE_TOTAL,
            _OUT_HELP,
            labels=[contract.MODEL, contract.FEATURE],
        )
        for feature, count in zip(self.out_of_range, snapshot[len(self.bins) :], strict=True):
            out.add_metric([self.model, feature], count)
        yield values
        yield out


class NativeSeries:
    """The same slots as ``LocalSeries``, each a pre-resolved prometheus_client child."""

    def __init__(
        self,
        model: str,
        bins: Sequence[BinKey],
        out_of_range: Sequence[str],
        registry: CollectorRegistry,
    ) -> None:
        labels = [contract.MODEL, contract.FEATURE, contract.BIN]
        values = Counter(contract.FEATURE_VALUES_TOTAL, _VALUES_HELP, labels, registry=registry)
        out = Counter(
            contract.FEATURE_OUT_OF_RANGE_TOTAL,
            _OUT_HELP,
            [contract.MODEL, contract.FEATURE],
            registry=registry,
        )
        self.children: list[Any] = [values.labels(model, f, b) for f, b in bins]
        self.children += [out.labels(model, f) for f in out_of_range]

    def add(self, hits: Iterable[int]) -> None:
        children = self.children
        for index in hits:
            children[index].inc()

    def add_many(self, amounts: Iterable[tuple[int, int]]) -> None:
        for index, amount in amounts:
            self.children[index].inc(amount)
