"""The metric contract between the runtime exporter and the generated rules.

Defined once here; ``controlplane.monitor.exporter`` emits these series and
``controlplane.render`` writes rules over them, so the two cannot drift
apart. See the README's "Metric contract" table.
"""

from __future__ import annotations

import math

# Serving.
PREDICTIONS_TOTAL = "mlcp_predictions_total"
PREDICTION_ERRORS_TOTAL = "mlcp_prediction_errors_total"
PREDICTION_LATENCY_SECONDS = "mlcp_prediction_latency_seconds"

# Data health.
FEATURE_VALUES_TOTAL = "mlcp_feature_values_total"
FEATURE_REFERENCE_RATIO = "mlcp_feature_reference_ratio"
FEATURE_OUT_OF_RANGE_TOTAL = "mlcp_feature_out_of_range_total"
FEATURE_TRAINING_NULL_RATIO = "mlcp_feature_training_null_ratio"

# Quality, once labels arrive.
LABEL_OUTCOMES_TOTAL = "mlcp_label_outcomes_total"
LABEL_ERROR_SUM = "mlcp_label_error_sum"
LABEL_SQUARED_ERROR_SUM = "mlcp_label_squared_error_sum"
LABEL_COUNT = "mlcp_label_count"
LABEL_TARGET_SUM = "mlcp_label_target_sum"
LABEL_TARGET_SQUARED_SUM = "mlcp_label_target_squared_sum"
RANKING_NDCG_SUM = "mlcp_ranking_ndcg_sum"
RANKING_AP_SUM = "mlcp_ranking_ap_sum"
RANKING_QUERIES_TOTAL = "mlcp_ranking_queries_total"

# Shadow comparisons: the stable and the candidate answer to the same request
# (controlplane.shadow says what each request adds, per task).
SHADOW_COMPARISONS_TOTAL = "mlcp_shadow_comparisons_total"
SHADOW_DIVERGENCE_SUM = "mlcp_shadow_divergence_sum"
SHADOW_WEIGHT_SUM = "mlcp_shadow_weight_sum"

# Labels.
MODEL = "model"
VARIANT = "variant"
FEATURE = "feature"
BIN = "bin"
OUTCOME = "outcome"

# Special bins of mlcp_feature_values_total.
BIN_NULL = "null"
BIN_UNSEEN = "unseen"
BIN_OTHER = "other"  # categorical tail folded into one bin by the profile
OUTCOMES = ("tp", "fp", "tn", "fn")

# Variants, stable across endpoint configurations.
VARIANT_STABLE = "stable"
VARIANT_CANDIDATE = "candidate"

# Shares are floored at this value before PSI so that an empty bin is finite.
# See the README ("Why epsilon is 1e-4").
PSI_EPSILON = 1e-4


def psi_ceiling(epsilon: float) -> float:
    """The largest PSI two distributions can have with their shares floored at epsilon.

    PSI = Σ (a − e)·ln(a/e) over k bins, with a = max(p, ε) and e = max(q, ε) for
    distributions p, q. Each term is jointly convex in (a, e) (it is
    a·ln(a/e) + e·ln(e/a), two perspectives of −ln). Every floored vector lies in
    B = {x ∈ [ε, 1]^k : Σ x ≤ 1 + (k − 1)·ε} (a share under ε adds ε; at least
    one share is ≥ 1/k > ε when k·ε < 1), a polytope whose vertices are the
    all-ε vector and the k vectors with one share 1 and the rest ε. A convex
    function on B × B is largest at a pair of vertices: one bin holding all of
    training against another holding all of serving. The two bins each add
    (1 − ε)·ln(1/ε) and the rest (ε against ε) add 0, so

        PSI ≤ 2·(1 − ε)·ln(1/ε)

    whatever the bin count (from 2 up to 1/ε), reached exactly by moving all the
    mass to a bin training never saw. At ε = 1e-4 that is about 18.42: a PSI
    threshold above it can never fire.
    """
    return 2 * (1 - epsilon) * math.log(1 / epsilon)


PSI_CEILING = psi_ceiling(PSI_EPSILON)

# Latency histogram buckets, seconds: dense where SLAs usually sit.
LATENCY_BUCKETS = (
    0.001,
    0.0025,
    0.005,
    0.01,
    0.02,
    0.03,
    0.05,
    0.075,
    0.1,
    0.15,
    0.2,
    0.3,
    0.5,
    0.75,
    1.0,
    2.5,
    5.0,
    10.0,
)


def numeric_bin_label(index: int) -> str:
    """Label of the index-th reference quantile bin of a numeric feature ("b00", "b01", ...)."""
    return f"b{index:02d}"


# Multi-window, multi-burn-rate alerting on the error budget (the SRE workbook's
# table for a 30-day SLO): (long window, short window, burn factor, variant).
# The variant names the alert declaration (`controlplane.alerts`) that says the
# severity: fast burns page, slow ones open a ticket. A factor times the error
# budget must stay below 1, or the alert could never fire; `mlcp validate`
# reports such a spec (MLCP244).
BURN_RATE_WINDOWS: tuple[tuple[str, str, float, str], ...] = (
    ("1h", "5m", 14.4, "fast"),
    ("6h", "30m", 6.0, "fast"),
    ("1d", "2h", 3.0, "slow"),
    ("3d", "6h", 1.0, "slow"),
)


def category_bin_label(category: str) -> str:
    """Label of a known category's bin in mlcp_feature_values_total.

    A category is its own label, except one that could be mistaken for a special
    bin ("null", "unseen", "other") or for an escaped one: those get a leading "=".
    """
    if category in (BIN_NULL, BIN_UNSEEN, BIN_OTHER) or category.startswith("="):
        return "=" + category
    return category


# Batch drift figures, written by `mlcp drift --textfile` for node_exporter's
# textfile collector (labels: model, feature). Status is 0 ok, 1 warn, 2 critical.
BATCH_FEATURE_PSI = "mlcp_batch_feature_psi"
BATCH_FEATURE_NULL_RATIO_TO_TRAINING = "mlcp_batch_feature_null_ratio_to_training"
BATCH_FEATURE_OUT_OF_RANGE_RATIO = "mlcp_batch_feature_out_of_range_ratio"
BATCH_FEATURE_UNSEEN_RATIO = "mlcp_batch_feature_unseen_ratio"
BATCH_FEATURE_DRIFT_STATUS = "mlcp_batch_feature_drift_status"
BATCH_ROWS = "mlcp_batch_rows"


# --- Generated monitoring (controlplane.render.monitoring) -------------------
# The error ratio is mlcp_prediction_errors_total / mlcp_predictions_total:
# the predictions counter counts every request, failed ones included.

# Recording rules are named level:metric:window, the window written as a
# Prometheus duration ("mlcp:feature_psi:1h"); recorded(REC_FEATURE_PSI, "1h").
RECORDING_LEVEL = "mlcp"
REC_LATENCY = "latency_{quantile}"  # quantile is p50 | p95 | p99
REC_ERROR_RATIO = "error_ratio"
REC_REQUEST_RATE = "request_rate"
REC_VARIANT_REQUEST_RATE = "variant_request_rate"
REC_VOLUME_RATIO = "request_rate_vs_{offset}"  # request rate / the same rate `offset` ago
REC_FEATURE_BIN_RATE = "feature_bin_rate"
REC_FEATURE_BIN_SHARE = "feature_bin_share"
REC_FEATURE_REFERENCE_SHARE = "feature_reference_share"  # window "floored"
REC_FEATURE_PSI = "feature_psi"
WORST = "worst"  # the "window" of mlcp:feature_psi:worst: each feature's worst drift window
REC_FEATURE_NULL_RATIO = "feature_null_ratio"
REC_FEATURE_NULL_VS_TRAINING = "feature_null_ratio_vs_training"
REC_FEATURE_OUT_OF_RANGE_RATIO = "feature_out_of_range_ratio"
REC_FEATURE_UNSEEN_RATIO = "feature_unseen_ratio"
REC_LABEL_OUTCOMES = "label_outcomes"
REC_MODEL_QUALITY = "model_quality"  # label metric = the quality metric's name
REC_MODEL_PROXY = "model_proxy"  # label metric = the proxy's name
REC_SHADOW_DIVERGENCE = "shadow_divergence"


def recorded(metric: str, window: str) -> str:
    """The series name of a recording rule: recorded("feature_psi", "1h") -> "mlcp:feature_psi:1h"."""
    return f"{RECORDING_LEVEL}:{metric}:{window}"


# Labels the generated rules add.
WINDOW = "window"  # drift window of a PSI series ("1h", "1d", "7d")
METRIC = "metric"  # quality metric or proxy name
SEVERITY = "severity"  # page | ticket
TEAM = "team"
TIER = "tier"
CATEGORY = "category"  # system | data | quality | monitor: what inhibition keys on
LONG_WINDOW = "long_window"  # burn-rate alert windows
SHORT_WINDOW = "short_window"

# Alert names: stable, referenced by runbooks, routing and inhibition.
ALERT_LATENCY = "MLCPLatency{quantile}AboveSLA"  # quantile is P50 | P95 | P99
ALERT_ERROR_BUDGET_BURN = "MLCPErrorBudgetBurn"
ALERT_ERROR_RATE = "MLCPErrorRateAboveSLA"
ALERT_DRIFT_WARNING = "MLCPFeatureDriftWarning"
ALERT_DRIFT_CRITICAL = "MLCPFeatureDriftCritical"
ALERT_NULL_RATE = "MLCPFeatureNullRateHigh"
ALERT_OUT_OF_RANGE = "MLCPFeatureOutOfRange"
ALERT_UNSEEN = "MLCPUnseenCategories"
ALERT_VOLUME_DROP = "MLCPVolumeDrop"
ALERT_MODEL_BROKEN = "MLCPModelBroken"
ALERT_QUALITY_LOW = "MLCPModelQualityLow"
ALERT_PROXY_BROKEN = "MLCPProxyMetricBroken"
ALERT_PROXY_DEGRADED = "MLCPProxyMetricDegraded"
ALERT_MONITOR_ABSENT = "MLCPMonitorAbsent"
ALERT_SHADOW_DIVERGENCE = "MLCPShadowDivergence"


def runbook_anchor(alertname: str) -> str:
    """The anchor of an alert's section in runbooks/<model>.md (a "## <alertname>" heading)."""
    return alertname.lower()
