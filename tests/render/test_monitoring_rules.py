"""Rules as data: names, labels, annotations, counts, determinism, free text."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from controlplane import contract
from controlplane.model import Shadow, Sla
from controlplane.render.monitoring import promql, render
from controlplane.render.monitoring.rulefile import model_rules, render_rules
from controlplane.render.monitoring.yamlio import loads
from tests.render import factories

REQUIRED_LABELS = {"severity", "model", "team", "tier", "category"}


def rule_doc(**changes: Any) -> dict[str, Any]:
    model = factories.model(**changes)
    doc: dict[str, Any] = loads(render_rules(model_rules(model), factories.config()))
    return doc


def alerts(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for g in doc["groups"] for r in g["rules"] if "alert" in r]


def test_every_alert_carries_the_labels_and_annotations_on_call_needs() -> None:
    for rule in alerts(rule_doc()):
        assert set(rule["labels"]) >= REQUIRED_LABELS, rule["alert"]
        assert rule["labels"]["severity"] in {"page", "ticket"}
        assert set(rule["annotations"]) == {"summary", "description", "runbook_url"}
        anchor = rule["alert"].lower()
        assert rule["annotations"]["runbook_url"] == (
            f"https://example.com/runbooks/toy-model.md#{anchor}"
        )
        assert re.fullmatch(r"\d+[smhd]", rule["for"]), rule["for"]


def test_alerts_about_one_feature_or_metric_say_which() -> None:
    for rule in alerts(rule_doc()):
        if rule["alert"] in (contract.ALERT_DRIFT_WARNING, contract.ALERT_DRIFT_CRITICAL):
            assert "feature" in rule["labels"]
        if rule["labels"]["category"] == "quality":
            assert "metric" in rule["labels"]


def test_recording_rules_are_named_level_metric_window() -> None:
    doc = rule_doc()
    records = [r["record"] for g in doc["groups"] for r in g["rules"] if "record" in r]
    assert records
    for name in records:
        level, _, window = name.split(":")
        assert level == "mlcp"
        assert re.fullmatch(r"\d+[smhd]|floored|worst", window), name
    assert {"mlcp:feature_psi:1h", "mlcp:feature_psi:1d", "mlcp:feature_psi:7d"} <= set(records)


def test_long_drift_windows_read_recordings_not_raw_counters() -> None:
    doc = rule_doc()
    raw = contract.FEATURE_VALUES_TOTAL
    for rule in (r for g in doc["groups"] for r in g["rules"] if "record" in r):
        if rule["record"] in ("mlcp:feature_bin_rate:1d", "mlcp:feature_bin_rate:7d"):
            assert raw not in rule["expr"]
            assert "mlcp:feature_bin_rate:1h" in rule["expr"]
    readers = [r for g in doc["groups"] for r in g["rules"] if raw in r["expr"]]
    assert [r["record"] for r in readers] == ["mlcp:feature_bin_rate:1h"]


def counts(n_features: int) -> tuple[int, int]:
    features = factories.features(n_features // 2, n_features - n_features // 2)
    rules = model_rules(factories.model(features=features))
    return len(rules.recordings), len(rules.alerts)


def test_rule_count_grows_linearly_with_features() -> None:
    """Recordings are per model; each feature adds exactly its two drift alerts."""
    recordings_2, alerts_2 = counts(2)
    for n in (10, 300):
        recordings, alert_count = counts(n)
        assert recordings == recordings_2
        assert alert_count == alerts_2 + 2 * (n - 2)


def test_no_burn_rate_alert_that_could_never_fire() -> None:
    sla = Sla(factories.model().sla.latency, error_rate=0.2, availability=None, min_throughput=None)
    doc = rule_doc(sla=sla)  # a 20% budget: 14.4x and 6x of it are past 100%
    burns = [r for r in alerts(doc) if r["alert"] == contract.ALERT_ERROR_BUDGET_BURN]
    assert [r["labels"]["long_window"] for r in burns] == ["1d", "3d"]


def test_batch_models_tolerate_the_gap_between_runs() -> None:
    model = factories.model()
    batch = replace(model.serving, mode="batch", schedule="0 3 * * *")
    (absent,) = [r for r in alerts(rule_doc(serving=batch)) if r["alert"] == "MLCPMonitorAbsent"]
    assert absent["expr"] == 'absent_over_time(mlcp_predictions_total{model="toy-model"}[30h])'


def test_render_is_deterministic() -> None:
    models = [factories.model(), factories.nasty_model()]
    first = render(models, factories.config())
    second = render(list(reversed(models)), factories.config())
    assert [(a.path, a.content) for a in first] == [(a.path, a.content) for a in second]


def test_rule_file_stats_count_rules_and_alerts() -> None:
    artifacts = render([factories.model()], factories.config())
    (rules,) = [a for a in artifacts if a.path.endswith(".rules.yml")]
    doc = loads(rules.content)
    every = [r for g in doc["groups"] for r in g["rules"]]
    assert dict(rules.stats) == {"rules": len(every), "alerts": len(alerts(doc))}


def test_every_yaml_file_starts_with_the_banner() -> None:
    for artifact in render([factories.model()], factories.config()):
        if artifact.path.endswith(".yml"):
            first = artifact.content.splitlines()[0]
            source = "specs/" if "alertmanager" in artifact.path else "specs/toy-model.yaml"
            assert first == f"# generated by mlcp 0.1.0 from {source} — do not edit"


free_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\n\t"),
    max_size=40,
)


@settings(max_examples=40, deadline=None)
@given(team=free_text, description=free_text)
def test_free_text_cannot_change_the_rule_structure(team: str, description: str) -> None:
    doc = rule_doc(team=team, description=description)
    plain = rule_doc()
    assert [len(g["rules"]) for g in doc["groups"]] == [len(g["rules"]) for g in plain["groups"]]
    for rule, reference in zip(alerts(doc), alerts(plain), strict=True):
        assert rule["expr"] == reference["expr"]
        assert set(rule["labels"]) == set(reference["labels"])
        assert rule["labels"]["team"] == promql.literal_text(team)
        assert rule["annotations"]["description"].endswith(promql.literal_text(description))


def test_template_delimiters_in_free_text_become_literals() -> None:
    assert promql.literal_text("a {{ $value }} b }}") == (
        'a {{ "{{" }} $value {{ "}}" }} b {{ "}}" }}'
    )


def test_promql_strings_and_names_are_quoted() -> None:
    assert promql.selector("my metric", {"feature": 'a"b\\c'}) == (
        '{__name__="my metric", feature="a\\"b\\\\c"}'
    )
    assert promql.duration(604800) == "7d"
    assert promql.duration(5400) == "90m"
    assert promql.number(2.0) == "2"
    assert promql.number(0.001) == "0.001"


@pytest.mark.parametrize(
    ("schedule", "days"),
    [
        ("0 3 * * *", 1),
        ("@daily", 1),
        ("0 4 * * 1", 7),
        ("@weekly", 7),
        ("@monthly", 31),
        ("0 0 1 * *", 31),
        ("0 0 1 1 *", 366),
        ("@yearly", 366),
    ],
)
def test_batch_gap_covers_the_longest_wait_between_runs(schedule: str, days: int) -> None:
    from controlplane.render.monitoring.alerts_system import batch_gap
    from controlplane.units import normalize_cron

    # The model normalizes the schedule (Serving.cron); the gap reads the five fields.
    assert batch_gap(normalize_cron(schedule)) == days * 86400


def test_only_a_model_with_a_shadow_phase_watches_its_divergence() -> None:
    plain = factories.model()
    shadowed = replace(plain, rollout=replace(plain.rollout, shadow=Shadow(86400.0, 0.02)))
    assert model_rules(plain).alerts_named("MLCPShadowDivergence") == []
    (alert,) = model_rules(shadowed).alerts_named("MLCPShadowDivergence")
    assert alert.expr == 'mlcp:shadow_divergence:1h{model="toy-model"} > 0.02'
