"""Recording rules for system health: latency quantiles, error ratios, traffic."""

from __future__ import annotations

from controlplane import contract, units
from controlplane.domain import LATENCY_QUANTILES
from controlplane.model import Model
from controlplane.render.monitoring import promql
from controlplane.render.monitoring.rules import Recording

SLA_WINDOW = "5m"  # latency and error-rate SLAs are judged over five minutes
VOLUME_WINDOW = "1h"  # traffic is compared hour against hour, `volume.compare_to` apart
QUANTILES = tuple(LATENCY_QUANTILES.items())


def error_budget(model: Model) -> float | None:
    """The error budget, as the model defines it (``domain.error_budget``)."""
    return model.sla.error_budget


def burn_windows(model: Model) -> list[tuple[str, str, float, str]]:
    """The burn-rate windows that can fire: a factor times the budget must stay below 1."""
    budget = error_budget(model)
    if budget is None:
        return []
    return [w for w in contract.BURN_RATE_WINDOWS if w[2] * budget < 1]


def error_ratio_windows(model: Model) -> list[str]:
    windows = {SLA_WINDOW} | {w for long, short, _, _ in burn_windows(model) for w in (long, short)}
    return sorted(windows, key=units.parse_duration)


def latency(model: Model) -> list[Recording]:
    buckets = promql.of_model(f"{contract.PREDICTION_LATENCY_SECONDS}_bucket", model.name)
    return [
        Recording(
            contract.recorded(contract.REC_LATENCY.format(quantile=name), SLA_WINDOW),
            f"histogram_quantile({q}, sum by (model, le) (rate({buckets}[{SLA_WINDOW}])))",
        )
        for name, q in QUANTILES
    ]


def error_ratios(model: Model) -> list[Recording]:
    errors = promql.of_model(contract.PREDICTION_ERRORS_TOTAL, model.name)
    requests = promql.of_model(contract.PREDICTIONS_TOTAL, model.name)
    return [
        Recording(
            contract.recorded(contract.REC_ERROR_RATIO, w),
            f"sum by (model) (rate({errors}[{w}]))\n/\nsum by (model) (rate({requests}[{w}]))",
        )
        for w in error_ratio_windows(model)
    ]


def traffic(model: Model) -> list[Recording]:
    requests = promql.of_model(contract.PREDICTIONS_TOTAL, model.name)
    offset = promql.duration(model.drift.volume_compare_to)
    hourly = contract.recorded(contract.REC_REQUEST_RATE, VOLUME_WINDOW)
    current = promql.of_model(hourly, model.name)
    return [
        Recording(
            contract.recorded(contract.REC_REQUEST_RATE, SLA_WINDOW),
            f"sum by (model) (rate({requests}[{SLA_WINDOW}]))",
        ),
        Recording(
            contract.recorded(contract.REC_VARIANT_REQUEST_RATE, SLA_WINDOW),
            f"sum by (model, variant) (rate({requests}[{SLA_WINDOW}]))",
        ),
        Recording(hourly, f"sum by (model) (rate({requests}[{VOLUME_WINDOW}]))"),
        Recording(
            contract.recorded(contract.REC_VOLUME_RATIO.format(offset=offset), VOLUME_WINDOW),
            f"{current}\n/\n{current} offset {offset}",
        ),
    ]


def system_recordings(model: Model) -> list[Recording]:
    return [*latency(model), *error_ratios(model), *traffic(model)]
