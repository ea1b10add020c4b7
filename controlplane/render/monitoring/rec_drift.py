"""Recording rules for data health: per-bin shares, PSI per drift window, null,
out-of-range and unseen-category rates.

Only the shortest drift window reads the raw per-bin counters (one series per
replica, feature and bin). Every longer window averages that recording over
its own span, so a 7-day PSI costs a scan of the compact recorded series, and
the shares (ratios of rates) come out the same as from the raw counters.
"""

from __future__ import annotations

from controlplane import contract, signals
from controlplane.model import Model
from controlplane.render.monitoring import promql
from controlplane.render.monitoring.rules import Recording

EPS = promql.number(contract.PSI_EPSILON)
BY_BIN = "on (model, feature, bin)"
TIE = promql.number(1e-9)  # PSI differences below this do not make a window worse
FLOORED = "floored"  # the "window" of the reference shares: they do not depend on time


def windows(model: Model) -> list[str]:
    return [promql.duration(w) for w in model.drift.windows]


def base_window(model: Model) -> str:
    return windows(model)[0]


def reference(model: Model) -> list[Recording]:
    gauge = promql.of_model(contract.FEATURE_REFERENCE_RATIO, model.name)
    return [
        Recording(
            contract.recorded(contract.REC_FEATURE_REFERENCE_SHARE, FLOORED),
            f"clamp_min(max by (model, feature, bin) ({gauge}), {EPS})",
        )
    ]


def bin_rates(model: Model) -> list[Recording]:
    base = base_window(model)
    raw = promql.of_model(contract.FEATURE_VALUES_TOTAL, model.name)
    recordings = [
        Recording(
            contract.recorded(contract.REC_FEATURE_BIN_RATE, base),
            f"sum by (model, feature, bin) (rate({raw}[{base}]))",
        )
    ]
    short = promql.recorded(contract.REC_FEATURE_BIN_RATE, base, model.name)
    for window in windows(model)[1:]:
        recordings.append(
            Recording(
                contract.recorded(contract.REC_FEATURE_BIN_RATE, window),
                f"avg_over_time({short}[{window}])",
            )
        )
    return recordings


def shares(model: Model) -> list[Recording]:
    recordings = []
    for window in windows(model):
        rates = promql.recorded(contract.REC_FEATURE_BIN_RATE, window, model.name)
        recordings.append(
            Recording(
                contract.recorded(contract.REC_FEATURE_BIN_SHARE, window),
                f"{rates}\n/ on (model, feature) group_left\nsum by (model, feature) ({rates})",
            )
        )
    return recordings


def psi_expr(model: Model, window: str) -> str:
    """Σ (a − e)·ln(a/e) over the union of observed and reference bins, both floored.

    A reference bin never observed in the window counts with share 0 (floored);
    an observed bin missing from the reference counts with share epsilon. A
    feature with no observations in the window has no PSI (not a huge one).
    """
    share = promql.recorded(contract.REC_FEATURE_BIN_SHARE, window, model.name)
    ref = promql.recorded(contract.REC_FEATURE_REFERENCE_SHARE, FLOORED, model.name)
    rates = promql.recorded(contract.REC_FEATURE_BIN_RATE, window, model.name)
    actual = f"clamp_min({share} or {BY_BIN} 0 * {ref}, {EPS})"
    expected = f"({ref} or {BY_BIN} 0 * {share} + {EPS})"
    return (
        "sum by (model, feature) (\n"
        f"    ({actual} - {BY_BIN} {expected})\n"
        f"  * {BY_BIN}\n"
        f"    ln({actual} / {BY_BIN} {expected})\n"
        ")\n"
        f"and on (model, feature) (sum by (model, feature) ({rates}) > 0)"
    )


def psi(model: Model) -> list[Recording]:
    return [
        Recording(
            contract.recorded(contract.REC_FEATURE_PSI, window),
            psi_expr(model, window),
            ((contract.WINDOW, window),),
        )
        for window in windows(model)
    ]


def worst(model: Model) -> list[Recording]:
    """Each feature's PSI over its worst drift window, the window kept as a label.

    Windows are tried longest first, so of two windows with the same PSI the one
    with more evidence is named. "The same" allows TIE: windows fed the same
    traffic differ only in the last bits of their rates.
    """
    name = model.name
    every = " or ".join(promql.recorded(contract.REC_FEATURE_PSI, w, name) for w in windows(model))
    top = f"(max by (model, feature) ({every}) - {TIE})"
    terms = [
        f"({promql.recorded(contract.REC_FEATURE_PSI, w, name)}\n  >= on (model, feature) group_left ()\n  {top})"
        for w in reversed(windows(model))
    ]
    return [
        Recording(
            contract.recorded(contract.REC_FEATURE_PSI, contract.WORST),
            "\nor on (model, feature)\n".join(terms),
        )
    ]


def rates(model: Model) -> list[Recording]:
    """Null, out-of-range and unseen shares over the shortest drift window, each
    divided by the denominator the data-health table declares for it."""
    base = base_window(model)
    name = model.name

    def bin_rate(*extra: str) -> str:
        rates = promql.recorded(contract.REC_FEATURE_BIN_RATE, base, name, extra)
        return f"sum by (model, feature) ({rates})"

    def share(figure: signals.Figure, count: str) -> str:
        values = (f"{contract.BIN}!={promql.string(contract.BIN_NULL)}",)
        whole = bin_rate(*values) if signals.denominator(figure) == "values" else bin_rate()
        return f"{count}\n/ on (model, feature)\n{whole}"

    def of_bin(label: str) -> str:
        return bin_rate(f"{contract.BIN}={promql.string(label)}")

    def named(figure: signals.Figure) -> str:
        """The recording of a figure: the series the signal table says the alerts read."""
        return contract.recorded(signals.FIGURES[figure].series, base)

    null_ratio = promql.recorded(signals.FIGURES["null_rate"].series, base, name)
    training = promql.of_model(contract.FEATURE_TRAINING_NULL_RATIO, name)
    out_of_range = promql.of_model(contract.FEATURE_OUT_OF_RANGE_TOTAL, name)
    return [
        Recording(
            named("null_rate"),
            share("null_rate", of_bin(contract.BIN_NULL)),
        ),
        Recording(
            named("null_ratio_to_training"),
            f"{null_ratio}\n/ on (model, feature)\n"
            f"clamp_min(max by (model, feature) ({training}), {EPS})",
        ),
        Recording(
            named("out_of_range_rate"),
            share("out_of_range_rate", f"sum by (model, feature) (rate({out_of_range}[{base}]))"),
        ),
        Recording(
            named("unseen_rate"),
            share("unseen_rate", of_bin(contract.BIN_UNSEEN)),
        ),
    ]


def drift_recordings(model: Model) -> list[Recording]:
    if not model.features or not model.drift.windows:
        return []
    return [
        *reference(model),
        *bin_rates(model),
        *shares(model),
        *psi(model),
        *worst(model),
        *rates(model),
    ]
