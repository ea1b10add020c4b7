"""The generated promtool tests: every alert has a scenario where it is shown
pending just before its `for` and firing just after, and the expectations come
from the spec and the declared severity table."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from typing import Any

import pytest

from controlplane import contract
from controlplane.alerts import DECLARATIONS, declared
from controlplane.model import Latency, Model, Proxy, Quality, Serving, Shadow
from controlplane.render.monitoring import render
from controlplane.render.monitoring.grafana import render_dashboard
from controlplane.render.monitoring.guide import alert_guides
from controlplane.render.monitoring.rulefile import model_rules
from controlplane.render.monitoring.yamlio import loads
from tests.render import factories

TASKS = ("classification", "regression", "ranking")
MODES = ("realtime", "batch")
# Labels that tell two alerts of one rule's name apart.
IDENTITY = (contract.FEATURE, contract.METRIC, contract.LONG_WINDOW)


def full_model(task: str, mode: str) -> Model:
    """A model that declares every SLA, a broken and a degraded proxy and a shadow phase, in one
    serving mode."""
    model = factories.model(f"full-{task}-{mode}", task=task)
    serving: Serving = replace(
        model.serving, mode=mode, schedule="0 3 * * *" if mode == "batch" else None
    )
    degraded = Proxy("saves", "saves_total", "impressions_total", 0.01, None, 6 * 3600.0, False)
    quality = Quality(
        model.quality.label_delay, model.quality.metrics, (*model.quality.proxies, degraded)
    )
    return replace(
        model,
        serving=serving,
        sla=replace(model.sla, latency=Latency(0.03, 0.08, 0.15)),
        quality=quality,
        rollout=replace(model.rollout, shadow=Shadow(48 * 3600.0, 0.05)),
    )


def documents(model: Model) -> tuple[dict[str, Any], dict[str, Any]]:
    artifacts = {a.path: a.content for a in render([model], factories.config())}
    rules = loads(artifacts[f"monitoring/prometheus/{model.name}.rules.yml"])
    tests = loads(artifacts[f"monitoring/prometheus/tests/{model.name}.test.yml"])
    return rules, tests


def seconds(duration: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    return float(duration[:-1]) * units[duration[-1]]


def alert_rules(rules: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for g in rules["groups"] for r in g["rules"] if "alert" in r]


def identity(labels: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in labels.items() if k in IDENTITY}


def raised_by(rule: dict[str, Any], alert: dict[str, Any]) -> bool:
    """Whether an expected alert comes from this rule (a rule over all features raises
    one alert per feature, with the feature label its series carry)."""
    return identity(rule["labels"]).items() <= identity(alert["exp_labels"]).items()


def shown_pending_then_firing(rule: dict[str, Any], tests: dict[str, Any]) -> bool:
    """Whether some group asserts the rule's alert absent at one evaluation, at least
    its `for` after the start, and present at a later one."""
    for group in tests["tests"]:
        checks = [t for t in group.get("alert_rule_test", []) if t["alertname"] == rule["alert"]]
        present = [
            seconds(t["eval_time"])
            for t in checks
            if any(raised_by(rule, a) for a in t["exp_alerts"])
        ]
        absent = [
            seconds(t["eval_time"])
            for t in checks
            if not any(raised_by(rule, a) for a in t["exp_alerts"])
        ]
        if any(
            before >= seconds(rule["for"]) and after > before
            for before in absent
            for after in present
        ):
            return True
    return False


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("task", TASKS)
def test_every_alert_has_a_firing_scenario_after_its_pending_time(task: str, mode: str) -> None:
    rules, tests = documents(full_model(task, mode))
    missing = [
        (rule["alert"], identity(rule["labels"]))
        for rule in alert_rules(rules)
        if not shown_pending_then_firing(rule, tests)
    ]
    assert not missing


def test_every_declared_alert_is_rendered_for_some_task_and_mode() -> None:
    seen = set()
    for task in TASKS:
        for mode in MODES:
            rules, _ = documents(full_model(task, mode))
            seen |= {(r["alert"], r["labels"]["severity"]) for r in alert_rules(rules)}
    assert seen == {(d.name, d.severity) for d in DECLARATIONS}


def test_an_alert_without_a_scenario_is_caught() -> None:
    """The coverage check fails for an alert that no scenario fires."""
    rules, tests = documents(full_model("classification", "realtime"))
    (rule,) = [r for r in alert_rules(rules) if r["alert"] == contract.ALERT_ERROR_RATE]
    assert shown_pending_then_firing(rule, tests)
    for group in tests["tests"]:
        for check in group.get("alert_rule_test", []):
            if check["alertname"] == contract.ALERT_ERROR_RATE:
                check["exp_alerts"] = []
    assert not shown_pending_then_firing(rule, tests)


def expectations(tests: dict[str, Any], alertname: str) -> list[dict[str, Any]]:
    return [
        a
        for g in tests["tests"]
        for t in g.get("alert_rule_test", [])
        if t["alertname"] == alertname
        for a in t["exp_alerts"]
    ]


def test_expected_labels_are_the_spec_and_the_declared_severity() -> None:
    model = factories.model()
    _, tests = documents(model)
    for group in tests["tests"]:
        for check in group.get("alert_rule_test", []):
            for alert in check["exp_alerts"]:
                labels = alert["exp_labels"]
                assert (labels["model"], labels["team"], labels["tier"]) == (
                    "toy-model",
                    "toy-team",
                    "standard",
                )
                severities = {d.severity for d in DECLARATIONS if d.name == check["alertname"]}
                assert labels["severity"] in severities
    burns = expectations(tests, contract.ALERT_ERROR_BUDGET_BURN)
    # The SRE workbook's table: the fast pairs page, the slow ones open a ticket.
    by_pair = {(a["exp_labels"]["long_window"], a["exp_labels"]["short_window"]) for a in burns}
    assert by_pair == {("1h", "5m"), ("6h", "30m"), ("1d", "2h"), ("3d", "6h")}
    for alert in burns:
        fast = alert["exp_labels"]["long_window"] in ("1h", "6h")
        assert alert["exp_labels"]["severity"] == ("page" if fast else "ticket")
        # availability 99% in the toy spec: a 1% budget.
        assert "the 1% error budget" in alert["exp_annotations"]["description"]


def test_one_drifted_feature_is_one_alert_per_level_without_a_window_label() -> None:
    _, tests = documents(factories.model())
    critical = expectations(tests, contract.ALERT_DRIFT_CRITICAL)
    assert critical
    for alert in critical:
        assert "window" not in alert["exp_labels"]
    for group in tests["tests"]:
        for check in group.get("alert_rule_test", []):
            if check["alertname"] not in (
                contract.ALERT_DRIFT_CRITICAL,
                contract.ALERT_DRIFT_WARNING,
            ):
                continue
            features = [a["exp_labels"]["feature"] for a in check["exp_alerts"]]
            assert len(features) == len(set(features)), (group["name"], check["alertname"])


def test_the_null_floor_is_shown_both_ways() -> None:
    _, tests = documents(factories.model())
    groups = {g["name"].split(" (")[0]: g for g in tests["tests"]}
    past = groups["data shares no nulls in training, null share past the floor"]
    under = groups["data shares no nulls in training, null share under the floor"]

    def fired(group: dict[str, Any]) -> set[str]:
        return {
            a["exp_labels"]["feature"]
            for t in group["alert_rule_test"]
            if t["alertname"] == contract.ALERT_NULL_RATE
            for a in t["exp_alerts"]
        }

    assert fired(past) == {"num_000", "num_001", "cat_000"}
    assert fired(under) == set()
    # Under the floor the ratio to training is far past its limit: only the floor holds.
    training = [
        s for s in under["input_series"] if s["series"].startswith("mlcp_feature_training_null")
    ]
    assert training and all(s["values"].startswith("0+0x") for s in training)


def crossing(group: dict[str, Any]) -> float:
    """When the volume group's traffic ratio first reads below 70%: its input changes
    to 62.5% an hour after the week of history, so the hour's mean slope is
    (1 - f) + 0.625 f, below 0.7 from f = 0.8, the tenth five-minute step."""
    (series,) = group["input_series"]
    steady = int(series["values"].split("x")[1].split(" ")[0])
    return steady * 300 + 10 * 300


def test_checks_bracket_the_declared_for() -> None:
    """Each expected alert is expected absent one evaluation before the first check
    that expects it: the checks sit just before and just after its `for`."""
    _, tests = documents(factories.model())
    for group in tests["tests"]:
        checks = group.get("alert_rule_test", [])
        first: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
        for check in checks:
            for alert in check["exp_alerts"]:
                key = (check["alertname"], tuple(sorted(identity(alert["exp_labels"]).items())))
                first[key] = min(first.get(key, math.inf), seconds(check["eval_time"]))
        for (name, labels), when in first.items():
            if name == contract.ALERT_MONITOR_ABSENT:
                continue  # when a series counts as gone differs by a step between versions
            (before,) = [
                c
                for c in checks
                if c["alertname"] == name and seconds(c["eval_time"]) == when - 300
            ]
            assert not any(
                tuple(sorted(identity(a["exp_labels"]).items())) == labels
                for a in before["exp_alerts"]
            )
        volume = [c for c in checks if c["alertname"] == contract.ALERT_VOLUME_DROP]
        if volume and volume[-1]["exp_alerts"]:
            fires = seconds(volume[-1]["eval_time"])
            assert fires - crossing(group) == declared(contract.ALERT_VOLUME_DROP).for_seconds


def panel_titles(board: dict[str, Any]) -> set[str]:
    return {p["title"] for p in board["panels"]}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("task", TASKS)
def test_every_alert_names_a_panel_of_its_dashboard(task: str, mode: str) -> None:
    """The runbook's "how to confirm": the rule's PromQL and a panel that exists."""
    model = full_model(task, mode)
    board = json.loads(render_dashboard(model))
    guides = alert_guides(model)
    assert len(guides) == len(model_rules(model).alerts)
    for guide in guides:
        assert guide.panel in panel_titles(board), guide.panel
        assert guide.dashboard == board["title"]
        assert guide.query and guide.declaration.meaning
    drift = [g for g in guides if g.declaration.name == contract.ALERT_DRIFT_CRITICAL]
    assert drift[0].panel == "PSI num_000 (warn 0.1, critical 0.25)"


def test_a_new_data_alert_is_a_signal_and_a_declaration(monkeypatch: pytest.MonkeyPatch) -> None:
    """One row in the signal table, one declaration and what its scenario expects (the
    feature kinds it watches): the rule, its firing scenario (pending before its `for`,
    firing after) and the row of docs/alerts.md follow."""
    from controlplane import alerts, signals
    from controlplane.render.monitoring.promtests import drift

    floor = signals.Condition(
        "null_rate", ">", lambda m, f: m.drift.null_min_rate, "drift.null_rate.min_rate"
    )
    signal = signals.DataSignal("null_share", "MLCPFeatureNullShareHigh", "ticket", (floor,))
    template = alerts.declared(contract.ALERT_NULL_RATE)
    declaration = replace(
        template,
        name=signal.alert,
        comparison=">",
        threshold=floor.source,
        series="mlcp:feature_null_ratio:<window>",
        clauses=(),
        summary="<model>: feature <feature> is often null",
        description="<value> of feature <feature> is null; at most <limit0> is expected.",
    )
    monkeypatch.setattr(signals, "SIGNALS", (*signals.SIGNALS, signal))
    monkeypatch.setattr(alerts, "DECLARATIONS", (*alerts.DECLARATIONS, declaration))
    monkeypatch.setitem(drift.WATCHES, signal.alert, ("numeric", "categorical"))
    rules, tests = documents(factories.model())
    (rule,) = [r for r in alert_rules(rules) if r["alert"] == signal.alert]
    assert rule["expr"] == 'mlcp:feature_null_ratio:1h{model="toy-model"} > 0.01'
    assert shown_pending_then_firing(rule, tests)
    assert "| `MLCPFeatureNullShareHigh` | ticket | 30m |" in alerts.readme_table()


def feature_series(group: dict[str, Any], model: str) -> dict[str, list[str]]:
    """The input series of a group per feature of `model`, by metric name."""
    fed: dict[str, list[str]] = {}
    for s in group["input_series"]:
        if f'model="{model}"' in s["series"] and 'feature="' in s["series"]:
            feature = s["series"].split('feature="')[1].split('"')[0]
            fed.setdefault(feature, []).append(s["series"].split("{")[0])
    return fed


def test_each_group_feeds_only_what_its_checks_read() -> None:
    """A share group feeds each feature two seen bins, the null bin, its training
    null share and the unseen bin (categorical) or, where it has a limit, the
    out-of-range counter (numeric): at most five series, whatever the bins. A drift group feeds the bins
    and reference shares (what PSI reads) and no training null share; the decoy
    model only its counters."""
    model = factories.model()
    _, tests = documents(model)
    shares = [g for g in tests["tests"] if g["name"].startswith("data shares")]
    drift = [g for g in tests["tests"] if g["name"].startswith("mixed PSI levels")]
    assert shares and drift
    for group in shares:
        fed = feature_series(group, model.name)
        assert set(fed) == {f.name for f in model.features}
        assert all(len(names) <= 5 for names in fed.values()), group["name"]
        bins = [s["series"] for s in group["input_series"] if "bin=" in s["series"]]
        assert sum('bin="null"' in s for s in bins) == len(model.features)
        seen = [s for s in bins if 'bin="null"' not in s and 'bin="unseen"' not in s]
        assert len(seen) == 2 * len(model.features)
    for group in drift:
        names = [s["series"].split("{")[0] for s in group["input_series"]]
        assert "mlcp_feature_training_null_ratio" not in names
        decoy = feature_series(group, f"{model.name}-decoy")
        assert all(set(n) == {"mlcp_feature_values_total"} for n in decoy.values())
    assert feature_series(drift[0], f"{model.name}-decoy")
