"""The alert declarations: the table in docs/alerts.md, the rules and the inhibitions
all say what the declarations say."""

from __future__ import annotations

import re
from typing import Any

from controlplane import alerts, contract, signals
from controlplane.render.monitoring.alertmanager import inhibitions
from controlplane.render.monitoring.rulefile import model_rules, render_rules
from controlplane.render.monitoring.yamlio import loads
from tests.conftest import ROOT
from tests.render import factories


def guide_alert_table() -> str:
    text = (ROOT / "docs" / "alerts.md").read_text(encoding="utf-8")
    start = text.index("| alert | severity |")
    return text[start : text.index("\n\n", start)]


def test_the_alerts_guide_table_is_the_declarations() -> None:
    assert guide_alert_table() == alerts.readme_table()


def test_declarations_are_unique_and_complete() -> None:
    keys = [(d.name, d.severity) for d in alerts.DECLARATIONS]
    assert len(keys) == len(set(keys))
    names = {v for k, v in vars(contract).items() if k.startswith("ALERT_") and "{" not in v}
    names |= {contract.ALERT_LATENCY.format(quantile=q) for q in ("P50", "P95", "P99")}
    assert {d.name for d in alerts.DECLARATIONS} == names
    for declaration in alerts.DECLARATIONS:
        assert declaration.meaning and declaration.for_why and declaration.panel
        assert declaration.likely_causes, declaration.name
        assert declaration.name.lower() == contract.runbook_anchor(declaration.name)


def rendered_alerts() -> list[dict[str, Any]]:
    doc = loads(render_rules(model_rules(factories.model()), factories.config()))
    return [r for g in doc["groups"] for r in g["rules"] if "alert" in r]


def test_every_rule_has_the_for_severity_and_layer_of_its_declaration() -> None:
    units = {"m": 60, "h": 3600}
    for rule in rendered_alerts():
        declaration = alerts.declared(rule["alert"], rule["labels"]["severity"])
        assert int(rule["for"][:-1]) * units[rule["for"][-1]] == declaration.for_seconds
        assert rule["labels"]["category"] == declaration.category


def test_data_alerts_compare_as_the_signal_table_says() -> None:
    for rule in rendered_alerts():
        if rule["labels"]["category"] != "data" or rule["alert"] == contract.ALERT_VOLUME_DROP:
            continue
        signal = signals.signal_of_alert(rule["alert"])
        ops = re.findall(r"\) (>=|>|<) |\} (>=|>|<) ", rule["expr"])
        assert [a or b for a, b in ops] == [c.comparison for c in signal.conditions]


def test_inhibitions_are_the_declared_ones() -> None:
    # Written out by hand: a critical drift holds back the warning of the same model and
    # feature; a model whose monitor is silent has its data alerts held back.
    assert inhibitions() == [
        {
            "source_matchers": ['alertname="MLCPFeatureDriftCritical"'],
            "target_matchers": ['alertname="MLCPFeatureDriftWarning"'],
            "equal": ["model", "feature"],
        },
        {
            "source_matchers": ['alertname="MLCPMonitorAbsent"'],
            "target_matchers": ['category="data"'],
            "equal": ["model"],
        },
    ]


def test_each_burn_rate_window_takes_its_severity_from_one_declaration() -> None:
    # The SRE workbook's table: the two fast pairs page, the two slow pairs open a ticket.
    workbook = {("1h", "5m"): "page", ("6h", "30m"): "page", ("1d", "2h"): "ticket"}
    workbook[("3d", "6h")] = "ticket"
    for long, short, factor, variant in contract.BURN_RATE_WINDOWS:
        declaration = alerts.declared(contract.ALERT_ERROR_BUDGET_BURN, variant=variant)
        assert declaration.severity == workbook[(long, short)]
        assert f"over {long} and {short}" in declaration.fires_when
        assert f"{factor:g}×" in declaration.fires_when
