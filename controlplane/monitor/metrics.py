"""The prometheus_client objects of one model: serving, reference gauges, quality.

The quality sums (``mlcp_label_error_sum`` and friends) only ever increase, but
their names do not end in ``_total``, and prometheus_client appends ``_total``
to every counter it exposes; they are exposed as gauges that are only
incremented, under exactly the contract's names. PromQL's ``increase()`` and
``rate()`` work on them as on any counter.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from controlplane import contract, shadow
from controlplane.model import Model
from controlplane.monitor import quality
from controlplane.monitor.profile import Profile, reference_shares

_M, _V, _F, _B = contract.MODEL, contract.VARIANT, contract.FEATURE, contract.BIN


def default_variants(model: Model) -> tuple[str, ...]:
    if model.rollout.candidate is not None:
        return (contract.VARIANT_STABLE, contract.VARIANT_CANDIDATE)
    return (contract.VARIANT_STABLE,)


def _sum_gauge(name: str, help_text: str, registry: CollectorRegistry) -> Any:
    # "sum": under gunicorn the workers' values add up, dead workers' included, like a counter.
    return Gauge(name, help_text, [_M], registry=registry, multiprocess_mode="sum")


class ServingMetrics:
    def __init__(self, model: Model, profile: Profile, variants: tuple[str, ...] | None) -> None:
        self.name = model.name
        self.task = model.task
        self.registry = CollectorRegistry(auto_describe=True)
        reg = self.registry
        self.predictions = Counter(
            contract.PREDICTIONS_TOTAL, "Predictions served.", [_M, _V], registry=reg
        )
        self.errors = Counter(
            contract.PREDICTION_ERRORS_TOTAL, "Failed predictions.", [_M, _V], registry=reg
        )
        self.latency = Histogram(
            contract.PREDICTION_LATENCY_SECONDS,
            "End-to-end prediction latency.",
            [_M, _V],
            buckets=contract.LATENCY_BUCKETS,
            registry=reg,
        )
        # Resolved once per variant: a labels() lookup per request costs a lock and a dict.
        self._by_variant: dict[str, tuple[Any, Any, Any]] = {}
        for variant in variants or default_variants(model):
            self._children(variant)
        self._reference_gauges(model, profile)
        self._quality_series()
        self.shadow = ShadowSeries(model, reg) if model.rollout.shadow is not None else None

    def _children(self, variant: str) -> tuple[Any, Any, Any]:
        children = self._by_variant.get(variant)
        if children is None:
            children = self._by_variant[variant] = (
                self.predictions.labels(self.name, variant),
                self.errors.labels(self.name, variant),
                self.latency.labels(self.name, variant),
            )
        return children

    def _reference_gauges(self, model: Model, profile: Profile) -> None:
        ratio = Gauge(
            contract.FEATURE_REFERENCE_RATIO,
            "Training share of the bin, floored at the PSI epsilon.",
            [_M, _F, _B],
            registry=self.registry,
            multiprocess_mode="max",
        )
        training_null = Gauge(
            contract.FEATURE_TRAINING_NULL_RATIO,
            "Null share of the feature in training.",
            [_M, _F],
            registry=self.registry,
            multiprocess_mode="max",
        )
        for feature in model.features:
            reference = profile.feature(feature.name)
            for label, share in zip(reference.labels, reference_shares(reference), strict=True):
                ratio.labels(self.name, feature.name, label).set(max(share, contract.PSI_EPSILON))
            null_share = reference.nulls / reference.rows if reference.rows else 0.0
            training_null.labels(self.name, feature.name).set(null_share)

    def _quality_series(self) -> None:
        reg = self.registry
        if self.task == "classification":
            outcomes = Counter(
                contract.LABEL_OUTCOMES_TOTAL,
                "Classification outcomes.",
                [_M, contract.OUTCOME],
                registry=reg,
            )
            self.outcomes = {o: outcomes.labels(self.name, o) for o in contract.OUTCOMES}
        elif self.task == "regression":
            names: tuple[str, ...] = (
                contract.LABEL_ERROR_SUM,
                contract.LABEL_SQUARED_ERROR_SUM,
                contract.LABEL_COUNT,
                contract.LABEL_TARGET_SUM,
                contract.LABEL_TARGET_SQUARED_SUM,
            )
            self.sums = {
                n: _sum_gauge(n, "Regression quality sum.", reg).labels(self.name) for n in names
            }
        else:
            names = (contract.RANKING_NDCG_SUM, contract.RANKING_AP_SUM)
            self.sums = {
                n: _sum_gauge(n, "Ranking quality sum.", reg).labels(self.name) for n in names
            }
            self.queries = Counter(
                contract.RANKING_QUERIES_TOTAL, "Ranked queries with labels.", [_M], registry=reg
            ).labels(self.name)

    def record_latency(self, seconds: float, variant: str) -> None:
        predictions, _, latency = self._children(variant)
        predictions.inc()
        latency.observe(seconds)

    def record_error(self, variant: str) -> None:
        self._children(variant)[1].inc()

    def record_outcomes(
        self, y_true: Any, y_pred: Any, *, query_ids: Any, threshold: float
    ) -> None:
        if self.task == "classification":
            for outcome, count in quality.confusion(y_true, y_pred, threshold).items():
                self.outcomes[outcome].inc(count)
        elif self.task == "regression":
            sums = quality.regression_sums(y_true, y_pred)
            self.sums[contract.LABEL_ERROR_SUM].inc(sums.error)
            self.sums[contract.LABEL_SQUARED_ERROR_SUM].inc(sums.squared_error)
            self.sums[contract.LABEL_COUNT].inc(sums.count)
            self.sums[contract.LABEL_TARGET_SUM].inc(sums.target)
            self.sums[contract.LABEL_TARGET_SQUARED_SUM].inc(sums.target_squared)
        else:
            if query_ids is None:
                raise ValueError("ranking outcomes need query_ids")
            ranked = quality.ranking_sums(y_true, y_pred, query_ids)
            self.sums[contract.RANKING_NDCG_SUM].inc(ranked.ndcg)
            self.sums[contract.RANKING_AP_SUM].inc(ranked.ap)
            self.queries.inc(ranked.queries)


class ShadowSeries:
    """The shadow counters: each compared request adds its divergence and weight (per task)."""

    def __init__(self, model: Model, registry: CollectorRegistry) -> None:
        self.task = model.task
        self.comparisons = Counter(
            contract.SHADOW_COMPARISONS_TOTAL,
            "Requests answered by both the stable and the candidate variant.",
            [_M],
            registry=registry,
        ).labels(model.name)
        self.divergence = _sum_gauge(
            contract.SHADOW_DIVERGENCE_SUM, "Summed divergence of candidate from stable.", registry
        ).labels(model.name)
        self.weight = _sum_gauge(
            contract.SHADOW_WEIGHT_SUM, "Summed weight of the shadow comparisons.", registry
        ).labels(model.name)

    def record(self, stable: Any, candidate: Any, threshold: float) -> None:
        comparison = shadow.compare(self.task, stable, candidate, threshold=threshold)
        self.comparisons.inc()
        self.divergence.inc(comparison.divergence)
        self.weight.inc(comparison.weight)
