"""Shadow divergence: how far the candidate's answers stray from the stable model's.

The same figure is counted by the exporter (``ModelMonitor.record_shadow``,
one request at a time, into the contract's counters), recorded by Prometheus
(``mlcp:shadow_divergence:1h``) and computed from SageMaker data-capture files
(``mlcp shadow-report``). Each request adds a divergence and a weight; the
figure is their sums' ratio, so it merges across replicas and windows:

- classification: the disagreement rate (1 when the predicted classes differ; weight 1);
- regression: the relative error Σ|candidate − stable| / Σ|stable| (weight |stable|);
- ranking: one minus the top-k overlap, |top-k(stable) ∩ top-k(candidate)| / k (weight 1).

Higher is worse for all three, like `rollout.shadow.max_divergence`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from controlplane.domain import TaskType

TOP_K = 10  # ranking: the head of the list a visitor sees
MEASURES: dict[str, str] = {
    "classification": "disagreement rate",
    "regression": "relative error",
    "ranking": f"top-{TOP_K} mismatch (1 − top-{TOP_K} overlap)",
}


@dataclass(frozen=True)
class Comparison:
    """What one request adds: to the divergence sum and to the weight sum."""

    divergence: float
    weight: float


def predicted_class(prediction: Any, threshold: float = 0.5) -> Any:
    """A class label as is; a score (a float) against ``threshold``; a probability list's argmax."""
    if isinstance(prediction, list | tuple):
        return max(range(len(prediction)), key=lambda i: prediction[i]) if prediction else None
    if isinstance(prediction, float):
        return prediction >= threshold
    return prediction


def compare(task: TaskType, stable: Any, candidate: Any, *, threshold: float = 0.5) -> Comparison:
    """One request's contribution; ranking predictions are item ids, best first."""
    if task == "classification":
        same = predicted_class(stable, threshold) == predicted_class(candidate, threshold)
        return Comparison(0.0 if same else 1.0, 1.0)
    if task == "regression":
        return Comparison(abs(float(candidate) - float(stable)), abs(float(stable)))
    return Comparison(1.0 - top_k_overlap(stable, candidate), 1.0)


def top_k_overlap(stable: Sequence[Any], candidate: Sequence[Any], k: int = TOP_K) -> float:
    """Share of the stable top-k that the candidate's top-k holds too (1 when both are empty)."""
    size = min(k, max(len(stable), len(candidate)))
    if size == 0:
        return 1.0
    return len(set(stable[:k]) & set(candidate[:k])) / size


@dataclass
class Tally:
    """Sums over many requests, and the figure they make."""

    comparisons: int = 0
    divergence_sum: float = 0.0
    weight_sum: float = 0.0

    def add(self, comparison: Comparison) -> None:
        self.comparisons += 1
        self.divergence_sum += comparison.divergence
        self.weight_sum += comparison.weight

    @property
    def divergence(self) -> float | None:
        """The figure; None before any request with weight (no evidence is not zero divergence)."""
        return self.divergence_sum / self.weight_sum if self.weight_sum > 0 else None
