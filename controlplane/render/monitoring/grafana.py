"""A Grafana dashboard per model, built with grafana-foundation-sdk.

Every panel reads the recorded series of the model's rule file, and draws
the spec's thresholds as lines, so the dashboard shows the same numbers the
alerts judge.
"""

from __future__ import annotations

import hashlib

from grafana_foundation_sdk.builders import common as common_builders
from grafana_foundation_sdk.builders import dashboard, prometheus, timeseries
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import common
from grafana_foundation_sdk.models import dashboard as models

from controlplane import contract, signals
from controlplane.alerts import declared, panel_title
from controlplane.domain import LATENCY_QUANTILES
from controlplane.model import Feature, Model
from controlplane.render import jsonwrite
from controlplane.render.monitoring import promql
from controlplane.render.monitoring.rec_drift import base_window, windows
from controlplane.render.monitoring.rec_system import SLA_WINDOW, VOLUME_WINDOW
from controlplane.render.monitoring.shadow import divergence_series

DATASOURCE = models.DataSourceRef(type_val="prometheus", uid="${datasource}")
Bars = tuple[float | None, float | None]  # (minimum, maximum); None where the spec sets none


def thresholds(low: float | None, high: float | None) -> dashboard.ThresholdsConfig:
    """Red outside the spec's bars, green inside."""
    steps = [models.Threshold(value=None, color="red" if low is not None else "green")]
    if low is not None:
        steps.append(models.Threshold(value=low, color="green"))
    if high is not None:
        steps.append(models.Threshold(value=high, color="red"))
    return dashboard.ThresholdsConfig().mode(models.ThresholdsMode.ABSOLUTE).steps(steps)


def panel(
    title: str, unit: str, queries: list[tuple[str, str]], bars: Bars = (None, None)
) -> timeseries.Panel:
    built = (
        timeseries.Panel()
        .title(title)
        .datasource(DATASOURCE)
        .unit(unit)
        .span(8)
        .height(8)
        .legend(
            common_builders.VizLegendOptions()
            .show_legend(True)
            .display_mode(common.LegendDisplayMode.LIST)
            .placement(common.LegendPlacement.BOTTOM)
        )
        .thresholds(thresholds(*bars))
    )
    if bars != (None, None):
        style = common.GraphTresholdsStyleMode.LINE
        built = built.thresholds_style(common_builders.GraphThresholdsStyleConfig().mode(style))
    for index, (expr, legend) in enumerate(queries):
        target = (
            prometheus.Dataquery().expr(expr).legend_format(legend).ref_id(chr(ord("A") + index))
        )
        built = built.with_target(target)
    return built


def sla_panels(model: Model) -> list[timeseries.Panel]:
    name, sla = model.name, model.sla
    panels = []
    for quantile in LATENCY_QUANTILES:
        series = promql.recorded(contract.REC_LATENCY.format(quantile=quantile), SLA_WINDOW, name)
        bar = getattr(sla.latency, quantile)
        title = panel_title(declared(contract.ALERT_LATENCY.format(quantile=quantile.upper())))
        panels.append(panel(title, "s", [(series, quantile)], (None, bar)))
    errors = promql.recorded(contract.REC_ERROR_RATIO, SLA_WINDOW, name)
    title = panel_title(declared(contract.ALERT_ERROR_RATE))
    panels.append(panel(title, "percentunit", [(errors, "errors")], (None, sla.error_rate)))
    rate = promql.recorded(contract.REC_REQUEST_RATE, SLA_WINDOW, name)
    title = panel_title(declared(contract.ALERT_MONITOR_ABSENT))
    panels.append(panel(title, "reqps", [(rate, "requests")], (sla.min_throughput, None)))
    return panels


def rollout_panels(model: Model) -> list[timeseries.Panel]:
    series = promql.recorded(contract.REC_VARIANT_REQUEST_RATE, SLA_WINDOW, model.name)
    state = model.rollout.state
    split = panel(
        f"Traffic by variant (rollout state {state}, candidate {model.rollout.candidate_weight}%)",
        "percentunit",
        [(series, "{{variant}}")],
    ).stacking(common_builders.StackingConfig().mode(common.StackingMode.PERCENT))
    offset = promql.duration(model.drift.volume_compare_to)
    volume = promql.recorded(
        contract.REC_VOLUME_RATIO.format(offset=offset), VOLUME_WINDOW, model.name
    )
    drop = (1 - model.drift.volume_max_drop, None)
    return [
        split.span(16),
        panel(
            panel_title(declared(contract.ALERT_VOLUME_DROP), compare_to=offset),
            "percentunit",
            [(volume, "ratio")],
            drop,
        ),
        *shadow_panels(model),
    ]


def shadow_panels(model: Model) -> list[timeseries.Panel]:
    """The candidate's divergence from stable, for models with a shadow phase."""
    shadow = model.rollout.shadow
    if shadow is None:
        return []
    title = panel_title(declared(contract.ALERT_SHADOW_DIVERGENCE))
    series = divergence_series(model)
    return [panel(title, "percentunit", [(series, "divergence")], (None, shadow.max_divergence))]


def psi_panel(model: Model, feature: Feature) -> timeseries.Panel:
    """PSI over each drift window, with the warn and critical lines of the signal table."""
    queries = [
        (
            promql.recorded(contract.REC_FEATURE_PSI, w, model.name, feature=feature.name),
            f"PSI {w}",
        )
        for w in windows(model)
    ]
    (warn,) = signals.signal("psi_warning").thresholds(model, feature)
    (critical,) = signals.signal("psi_critical").thresholds(model, feature)
    title = panel_title(
        declared(contract.ALERT_DRIFT_CRITICAL), feature=feature.name, warn=warn, critical=critical
    )
    steps = [
        models.Threshold(value=None, color="green"),
        models.Threshold(value=warn, color="orange"),
        models.Threshold(value=critical, color="red"),
    ]
    return (
        panel(title, "none", queries)
        .thresholds(dashboard.ThresholdsConfig().mode(models.ThresholdsMode.ABSOLUTE).steps(steps))
        .thresholds_style(
            common_builders.GraphThresholdsStyleConfig().mode(common.GraphTresholdsStyleMode.LINE)
        )
    )


# A panel for each condition of the signals judged over all features (the shares),
# titled as the signal's alert (or, for a later condition such as the null floor,
# by the title here), in the unit of its figure.
LATER_CONDITION_TITLES: dict[signals.Figure, str] = {"null_rate": "Null share (<window>)"}
PANEL_UNITS: dict[signals.Unit, str] = {"psi": "none", "times": "none", "percent": "percentunit"}


def share_panels(model: Model) -> list[timeseries.Panel]:
    base = base_window(model)
    panels = []
    for signal in (s for s in signals.SIGNALS if not s.per_feature):
        for index, condition in enumerate(signal.conditions):
            figure = signals.FIGURES[condition.figure]
            limit = condition.threshold(model, model.features[0])
            template = declared(signal.alert).panel
            if index > 0:
                template = LATER_CONDITION_TITLES[condition.figure]
            title = template.replace("<window>", base)
            series = promql.recorded(figure.series, base, model.name)
            panels.append(
                panel(title, PANEL_UNITS[figure.unit], [(series, "{{feature}}")], (None, limit))
            )
    return panels


def drift_panels(model: Model) -> list[timeseries.Panel]:
    if not model.features or not model.drift.windows:
        return []
    return [*(psi_panel(model, f) for f in model.features), *share_panels(model)]


def quality_panels(model: Model) -> list[timeseries.Panel]:
    unit = "percentunit" if model.task == "classification" else "none"
    panels = []
    for metric in model.quality.metrics:
        window = promql.duration(metric.window)
        series = promql.recorded(contract.REC_MODEL_QUALITY, window, model.name, metric=metric.name)
        panels.append(
            panel(
                panel_title(
                    declared(contract.ALERT_QUALITY_LOW), metric=metric.name, window=window
                ),
                unit,
                [(series, metric.name)],
                (metric.min, metric.max),
            )
        )
    for proxy in model.quality.proxies:
        window = promql.duration(proxy.window)
        series = promql.recorded(contract.REC_MODEL_PROXY, window, model.name, metric=proxy.name)
        bars = (proxy.min, proxy.max)
        panels.append(
            panel(
                panel_title(
                    declared(contract.ALERT_PROXY_DEGRADED), metric=proxy.name, window=window
                ),
                "percentunit",
                [(series, proxy.name)],
                bars,
            )
        )
    return panels


def uid(model: Model) -> str:
    """Stable and within Grafana's 40 characters."""
    candidate = f"mlcp-{model.name}"
    return (
        candidate
        if len(candidate) <= 40
        else "mlcp-" + hashlib.sha256(model.name.encode()).hexdigest()[:32]
    )


def dashboard_title(model: Model) -> str:
    return f"mlcp / {model.name}"


def build(model: Model) -> dashboard.Dashboard:
    board = (
        dashboard.Dashboard(dashboard_title(model))
        .uid(uid(model))
        .description(model.description)
        .tags(["mlcp", f"team:{model.team}", f"tier:{model.tier}"])
        .time("now-24h", "now")
        .refresh("1m")
        .with_variable(dashboard.DatasourceVariable("datasource").type("prometheus"))
    )
    sections = (
        ("Service level", sla_panels(model)),
        ("Traffic and rollout", rollout_panels(model)),
        ("Data health", drift_panels(model)),
        ("Model quality", quality_panels(model)),
    )
    next_id = 1
    for title, panels in sections:
        if not panels:
            continue
        board = board.with_row(dashboard.Row(title).id(next_id))
        next_id += 1
        for item in panels:
            board = board.with_panel(item.id(next_id))
            next_id += 1
    return board


def render_dashboard(model: Model) -> str:
    # The SDK's encoder turns its objects into dicts; the rest is the formatting of
    # every JSON artifact (sorted keys, non-ASCII text kept as written).
    return jsonwrite.dumps(build(model).build(), default=_SDK_OBJECTS.default)


_SDK_OBJECTS = JSONEncoder()
