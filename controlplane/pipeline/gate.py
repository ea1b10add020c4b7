"""The promotion gate: is the candidate better than production, by enough, and surely?

The test follows the metric (README, "Promotion gate"):

- accuracy, false_negative_rate, false_positive_rate: McNemar's exact test on
  per-example correctness (over all examples, the positives, the negatives:
  the examples the rate counts), because these metrics are shares of paired
  right/wrong outcomes and only the examples the models disagree on matter;
- precision, recall, f1, ndcg, map: the paired bootstrap of the metric itself,
  because they are not means of independent per-example outcomes (precision's
  denominator is the model's own positives; F1 mixes two ratios) or, for
  ranking, are means over queries of a bounded, skewed per-query value;
- mae, rmse: Wilcoxon's signed-rank test on paired absolute (MAE) or squared
  (RMSE) errors, which needs no normality of heavy-tailed errors;
- r2: the paired bootstrap of R² itself. R² = 1 − SSE/SST is a ratio of sums,
  not a mean of per-example values; resampling recomputes SST with SSE, so the
  test is on exactly the number the spec's bar is written on.

Whatever the test, the confidence interval is the paired bootstrap's
percentile interval of the relative improvement, the same quantity
``min_improvement`` bounds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from controlplane.pipeline import stats
from controlplane.pipeline.metrics import (
    Array,
    Metric,
    MetricError,
    columns,
    correct,
    defined,
    labels,
    metric_value,
    undefined_reason,
)
from controlplane.pipeline.metrics import (
    metric as lookup,
)

MCNEMAR, BOOTSTRAP, WILCOXON, ABSOLUTE_BAR = (
    "mcnemar-exact",
    "paired-bootstrap",
    "wilcoxon",
    "absolute-bar",
)

TEST_FOR_METRIC: dict[str, str] = {
    "accuracy": MCNEMAR,
    "false_negative_rate": MCNEMAR,
    "false_positive_rate": MCNEMAR,
    "precision": BOOTSTRAP,
    "recall": BOOTSTRAP,
    "f1": BOOTSTRAP,
    "ndcg": BOOTSTRAP,
    "map": BOOTSTRAP,
    "r2": BOOTSTRAP,
    "mae": WILCOXON,
    "rmse": WILCOXON,
}

Side = Literal["min", "max"]
Bar = tuple[Side, float]


@dataclass(frozen=True)
class QualityBar:
    """One of the spec's quality bars; a `broken` one blocks promotion whenever it is not met."""

    metric: str
    side: Side
    limit: float
    broken: bool = False


@dataclass(frozen=True)
class GateResult:
    metric: str
    production: float | None
    candidate: float | None  # None: undefined on the held-out set (the gate then refuses)
    improvement: float | None  # relative; positive means better, whatever the metric's direction
    ci_low: float | None  # bootstrap interval of the relative improvement
    ci_high: float | None
    test: str
    p_value: float | None
    n: int
    passed: bool
    reason: str
    min_improvement: float | None = None
    alpha: float | None = None
    resamples: int | None = None
    seed: int | None = None
    bars: tuple[BarCheck, ...] = ()  # every quality bar of the spec, checked on every run

    def to_dict(self) -> dict[str, Any]:
        """What gate.json records, in this field order."""
        return asdict(self)


def decide(
    metric: str,
    y_true: npt.ArrayLike | None,
    candidate: npt.ArrayLike,
    production: npt.ArrayLike | None,
    *,
    min_improvement: float,
    alpha: float,
    seed: int = 0,
    resamples: int = 10_000,
    bars: Sequence[QualityBar | tuple[str, Bar]] = (),
    measured: Mapping[str, npt.ArrayLike] | None = None,
) -> GateResult:
    """Compare the candidate with production on the same held-out set and decide.

    Every run checks the candidate against every quality bar of the spec (`bars`,
    on any metric of the task) and records each with its value. With no
    production model (the first run) the candidate passes when it meets them
    all; later, it must beat production, and a `broken` bar it does not meet
    blocks promotion whatever the improvement. An undefined metric (recall
    without positives) is never read as 0: undefined as the gate's metric, the
    gate refuses to decide; undefined as a bar, the bar is not met.
    A ranking model's bars on other metrics read their own per-query values
    from `measured` (metric name -> the candidate's per-query values).
    """
    spec = lookup(metric)
    _check_settings(metric, alpha, resamples)
    cand_rows = columns(metric, y_true, candidate)
    n = cand_rows.shape[0]
    cand = float(spec.formula(cand_rows.sum(axis=0), n))
    checks = _checks(spec, cand, y_true, candidate, bars, measured or {})
    if production is None:
        return _first_run(spec, cand, n, checks)
    prod_rows = columns(metric, y_true, production)
    if prod_rows.shape != cand_rows.shape:
        raise MetricError(
            f"candidate has {cand_rows.shape[0]} examples but production {prod_rows.shape[0]}"
        )
    prod = float(spec.formula(prod_rows.sum(axis=0), n))
    if math.isnan(cand) or math.isnan(prod):
        return _undefined(spec, cand, prod, n, checks)
    boot = stats.paired_bootstrap(
        np.hstack([cand_rows, prod_rows]),
        _improvement_statistic(spec, cand_rows.shape[1]),
        resamples=resamples,
        confidence=1 - alpha,
        seed=seed,
    )
    test = _test(metric, y_true, candidate, production, cand_rows, prod_rows, boot)
    improvement = _finite(_relative(spec, np.array([cand]), np.array([prod]))[0])
    passed, verdict = _verdict(spec, cand, prod, improvement, test, min_improvement, alpha)
    blocking = [c for c in checks if c.broken and not c.passed]
    body = verdict + _listed(checks)
    if passed and blocking:
        passed = False
        plural = "s" if len(blocking) > 1 else ""
        names = ", ".join(c.metric for c in blocking)
        body += f"; blocked by the broken bar{plural} {names}, not met"
    return GateResult(
        metric=metric,
        production=prod,
        candidate=cand,
        improvement=improvement,
        ci_low=_finite(boot.ci_low) if improvement is not None else None,
        ci_high=_finite(boot.ci_high) if improvement is not None else None,
        test=test.test,
        p_value=test.p_value,
        n=n,
        passed=passed,
        reason=f"{metric} {cand:.4g} (candidate) vs {prod:.4g} (production): {body}; "
        + ("passed" if passed else "rejected"),
        min_improvement=min_improvement,
        alpha=alpha,
        resamples=resamples,
        seed=seed,
        bars=checks,
    )


def _listed(checks: Sequence[BarCheck]) -> str:
    return f"; quality bars: {', '.join(map(str, checks))}" if checks else ""


def _undefined(
    spec: Metric, cand: float, prod: float, n: int, checks: tuple[BarCheck, ...]
) -> GateResult:
    """The gate's metric is undefined for a model on this held-out set: no decision."""
    whose = " and ".join(
        who for who, value in (("the candidate", cand), ("production", prod)) if math.isnan(value)
    )
    return GateResult(
        metric=spec.name,
        production=defined(prod),
        candidate=defined(cand),
        improvement=None,
        ci_low=None,
        ci_high=None,
        test=TEST_FOR_METRIC[spec.name],
        p_value=None,
        n=n,
        passed=False,
        reason=f"{spec.name} is undefined for {whose} on the {n} held-out examples "
        f"({undefined_reason(spec.name)}), so the gate cannot compare them"
        + _listed(checks)
        + "; rejected",
        bars=checks,
    )


def _check_settings(metric: str, alpha: float, resamples: int) -> None:
    if not 0 < alpha < 1:
        raise MetricError(f"alpha must lie between 0 and 1 (got {alpha})")
    if resamples < 1_000:
        raise MetricError(f"the gate's bootstrap needs at least 1,000 resamples (got {resamples})")
    smallest_p = 2 / (resamples + 1)  # the bootstrap p-value counts the observed value
    if TEST_FOR_METRIC[metric] == BOOTSTRAP and alpha <= smallest_p:
        raise MetricError(
            f"alpha {alpha:g} is out of reach: with {resamples} resamples the bootstrap "
            f"p-value of {metric} is never below {smallest_p:.2g}; raise resamples or alpha"
        )


def _finite(value: float) -> float | None:
    """The value, or None where it is infinite or undefined (gate.json is strict JSON)."""
    return float(value) if np.isfinite(value) else None


def _relative(spec: Metric, cand: Array, prod: Array) -> Array:
    """(candidate − production) / |production|, sign flipped where lower is better.

    Where production is 0 the ratio is ±inf (or 0 when both are 0).
    """
    sign = -1.0 if spec.lower_is_better else 1.0
    gain = sign * (cand - prod)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(
            prod != 0,
            gain / np.abs(np.where(prod != 0, prod, 1.0)),
            np.where(gain == 0, 0.0, np.sign(gain) * np.inf),
        )


def _improvement_statistic(spec: Metric, width: int) -> stats.SumsStatistic:
    def statistic(sums: Array, n: int) -> Array:
        return _relative(spec, spec.formula(sums[:, :width], n), spec.formula(sums[:, width:], n))

    return statistic


def _test(
    name: str,
    y_true: npt.ArrayLike | None,
    candidate: npt.ArrayLike,
    production: npt.ArrayLike,
    cand_rows: Array,
    prod_rows: Array,
    boot: stats.BootstrapResult,
) -> stats.TestResult:
    kind = TEST_FOR_METRIC[name]
    if kind == BOOTSTRAP:
        return stats.TestResult(BOOTSTRAP, boot.observed, boot.p_value, cand_rows.shape[0])
    if kind == WILCOXON:
        # The metric's only column: absolute errors for MAE, squared errors for RMSE.
        return stats.wilcoxon_signed_rank(cand_rows[:, 0], prod_rows[:, 0])
    assert y_true is not None  # classification metrics always have labels (columns checked)
    truth = labels(y_true, "y_true")
    counted = {"false_negative_rate": truth, "false_positive_rate": ~truth}.get(name)
    cand_ok, prod_ok = correct(y_true, candidate), correct(y_true, production)
    if counted is not None:
        cand_ok, prod_ok = cand_ok[counted], prod_ok[counted]
    return stats.mcnemar_exact(cand_ok, prod_ok)


def _verdict(
    spec: Metric,
    cand: float,
    prod: float,
    improvement: float | None,
    test: stats.TestResult,
    min_improvement: float,
    alpha: float,
) -> tuple[bool, str]:
    significance = f"{test.test} p = {test.p_value:.3g}"
    significant = test.p_value < alpha
    better = cand < prod if spec.lower_is_better else cand > prod
    if not better:
        word = "no better" if cand == prod else "worse"
        return False, f"the candidate is {word} than production"
    if improvement is None:  # production at exactly 0: any gain is unbounded in relative terms
        change = f"production's {spec.name} is 0, so the relative improvement is unbounded"
        if significant:
            return True, f"{change} and {significance} < alpha {alpha:g}"
        return False, f"{change}, but {significance} is not below alpha {alpha:g}"
    change = f"{improvement:+.2%} relative"
    if improvement < min_improvement:
        return False, f"{change} is below min_improvement {min_improvement:.2%} ({significance})"
    if not significant:
        return False, f"{change}, but {significance} is not below alpha {alpha:g}"
    return True, f"{change} ≥ {min_improvement:.2%} and {significance} < alpha {alpha:g}"


@dataclass(frozen=True)
class BarCheck:
    """One of the spec's quality bars, checked; value None where the metric is undefined."""

    metric: str
    side: Side
    limit: float
    value: float | None
    passed: bool
    broken: bool = False

    def __str__(self) -> str:
        broken = " (broken)" if self.broken else ""
        if self.value is None:
            why = undefined_reason(self.metric)
            return f"{self.metric} undefined ({why}) against {self.side} {self.limit:g}{broken}"
        sign = {("min", True): "≥", ("min", False): "<", ("max", True): "≤", ("max", False): ">"}
        shown = f"{self.metric} {self.value:.4g} {sign[self.side, self.passed]}"
        return f"{shown} {self.side} {self.limit:g}{broken}"


def _checks(
    spec: Metric,
    value: float,
    y_true: npt.ArrayLike | None,
    candidate: npt.ArrayLike,
    bars: Sequence[QualityBar | tuple[str, Bar]],
    measured: Mapping[str, npt.ArrayLike],
) -> tuple[BarCheck, ...]:
    """Every bar, with the candidate's value of its metric."""
    checks = []
    for bar in bars:
        if not isinstance(bar, QualityBar):
            name, (side, limit) = bar
            bar = QualityBar(name, side, limit)
        if bar.metric == spec.name:
            measured_value = value
        else:
            measured_value = _other(spec, bar.metric, y_true, candidate, measured)
        checks.append(_check(bar, measured_value))
    return tuple(checks)


def _first_run(spec: Metric, value: float, n: int, checks: tuple[BarCheck, ...]) -> GateResult:
    first = "no production model yet (first run), so judged on the spec's quality bars: "
    if math.isnan(value):
        passed = False
        reason = (
            f"{spec.name} is undefined on the {n} held-out examples "
            f"({undefined_reason(spec.name)}), so the gate cannot judge the candidate"
            + _listed(checks)
            + "; rejected"
        )
    elif not checks:
        passed = True
        reason = f"{first}it sets none ({spec.name} {value:.4g}); passed"
    else:
        passed = all(c.passed for c in checks)
        reason = first + ", ".join(map(str, checks)) + ("; passed" if passed else "; rejected")
    return GateResult(
        metric=spec.name,
        production=None,
        candidate=defined(value),
        improvement=None,
        ci_low=None,
        ci_high=None,
        test=ABSOLUTE_BAR,
        p_value=None,
        n=n,
        passed=passed,
        reason=reason,
        bars=checks,
    )


def _check(bar: QualityBar, value: float) -> BarCheck:
    """An undefined value meets no bar."""
    if math.isnan(value):
        return BarCheck(bar.metric, bar.side, bar.limit, None, False, bar.broken)
    met = value >= bar.limit if bar.side == "min" else value <= bar.limit
    return BarCheck(bar.metric, bar.side, bar.limit, value, met, bar.broken)


def _other(
    spec: Metric,
    name: str,
    y_true: npt.ArrayLike | None,
    candidate: npt.ArrayLike,
    measured: Mapping[str, npt.ArrayLike],
) -> float:
    """Another metric of the candidate: from its predictions, or its own per-query values."""
    other = lookup(name)
    if other.task != spec.task:
        raise MetricError(f"the bar on {name} does not apply to a {spec.task} model")
    if spec.task != "ranking":
        return metric_value(name, y_true, candidate)
    if name not in measured:  # per-query NDCG values say nothing about MAP
        raise MetricError(
            f"the bar on {name} needs the candidate's per-query {name} values (measured=)"
        )
    return metric_value(name, None, measured[name])
