"""The generated monitoring, checked by the programs that consume it:
promtool (rules, lint, unit tests) and amtool (config, routing)."""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from controlplane import contract
from controlplane.model import Proxy, QualityMetric
from controlplane.render.monitoring.rulefile import model_rules, render_rules
from controlplane.render.monitoring.yamlio import loads
from tests.conftest import require_tool
from tests.render import factories
from tests.render.monitoring_files import EXAMPLES, compiled_examples, written

pytestmark = pytest.mark.realtool


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=False, timeout=900)


@pytest.fixture(scope="module")
def examples_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with pytest.MonkeyPatch.context() as monkeypatch:
        models, config = compiled_examples(monkeypatch)
    return written(models, config, tmp_path_factory.mktemp("build"))


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_rules_pass_promtool_lint(examples_out: Path, name: str) -> None:
    promtool = require_tool("promtool")
    rules = examples_out / "prometheus" / f"{name}.rules.yml"
    result = run(promtool, "check", "rules", "--lint=all", "--lint-fatal", str(rules))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_alerts_fire_exactly_as_the_spec_says(examples_out: Path, name: str) -> None:
    promtool = require_tool("promtool")
    result = run(
        promtool, "test", "rules", str(examples_out / "prometheus/tests" / f"{name}.test.yml")
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]


def test_a_drifted_feature_pages_for_exactly_that_model_and_feature(examples_out: Path) -> None:
    """The generated test drifts every third feature past critical beside steady ones
    (and a decoy model with every feature drifted); its expectation names those
    features of this model alone, and promtool holds Prometheus to it."""
    tests = loads((examples_out / "prometheus/tests/fraud-detector.test.yml").read_text())
    (group,) = [t for t in tests["tests"] if t["name"].startswith("mixed PSI levels 1 of 3")]
    pending, check = [
        a for a in group["alert_rule_test"] if a["alertname"] == "MLCPFeatureDriftCritical"
    ]
    assert pending["exp_alerts"] == []
    fired = {(a["exp_labels"]["model"], a["exp_labels"]["feature"]) for a in check["exp_alerts"]}
    # The spec lists numeric amount, account_age_days, merchant_risk, then categorical
    # country, mcc, channel: the first and the fourth are at the critical level.
    assert fired == {("fraud-detector", "amount"), ("fraud-detector", "country")}
    assert any('model="fraud-detector-decoy"' in s["series"] for s in group["input_series"])


def test_a_wrong_threshold_in_the_rules_fails_the_generated_tests(
    examples_out: Path, tmp_path: Path
) -> None:
    """The generated tests can fail: move one PSI threshold and promtool objects."""
    promtool = require_tool("promtool")
    (tmp_path / "tests").mkdir()
    rules = (examples_out / "prometheus/fraud-detector.rules.yml").read_text()
    moved = rules.replace('feature="amount"}) >= 0.3\n', 'feature="amount"}) >= 0.45\n')
    assert moved != rules
    (tmp_path / "fraud-detector.rules.yml").write_text(moved)
    test_file = tmp_path / "tests/fraud-detector.test.yml"
    test_file.write_text((examples_out / "prometheus/tests/fraud-detector.test.yml").read_text())
    result = run(promtool, "test", "rules", str(test_file))
    assert result.returncode != 0
    assert "alertname: MLCPFeatureDriftCritical" in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("before", "after", "alertname"),
    [
        # A `for` shorter than declared: the alert fires while the test says pending.
        (
            "    for: 15m\n    labels:\n      severity: page\n      model: fraud-detector\n"
            "      team: risk-ml\n      tier: critical\n      category: data\n"
            "      feature: amount\n",
            "    for: 10m\n    labels:\n      severity: page\n      model: fraud-detector\n"
            "      team: risk-ml\n      tier: critical\n      category: data\n"
            "      feature: amount\n",
            "MLCPFeatureDriftCritical",
        ),
        # A `for` longer than declared: the alert is still pending when it must fire.
        (
            "    for: 15m\n    labels:\n      severity: page\n      model: fraud-detector\n"
            "      team: risk-ml\n      tier: critical\n      category: data\n"
            "      feature: amount\n",
            "    for: 20m\n    labels:\n      severity: page\n      model: fraud-detector\n"
            "      team: risk-ml\n      tier: critical\n      category: data\n"
            "      feature: amount\n",
            "MLCPFeatureDriftCritical",
        ),
        # A severity other than the declared one.
        (
            "    for: 10m\n    labels:\n      severity: page\n      model: fraud-detector\n"
            "      team: risk-ml\n      tier: critical\n      category: system\n    annotations:\n"
            '      summary: "fraud-detector: p99',
            "    for: 10m\n    labels:\n      severity: ticket\n      model: fraud-detector\n"
            "      team: risk-ml\n      tier: critical\n      category: system\n    annotations:\n"
            '      summary: "fraud-detector: p99',
            "MLCPLatencyP99AboveSLA",
        ),
    ],
    ids=["for-shorter", "for-longer", "severity"],
)
def test_a_rule_unlike_its_declaration_fails_the_generated_tests(
    examples_out: Path, tmp_path: Path, before: str, after: str, alertname: str
) -> None:
    promtool = require_tool("promtool")
    (tmp_path / "tests").mkdir()
    rules = (examples_out / "prometheus/fraud-detector.rules.yml").read_text()
    assert rules.count(before) == 1
    (tmp_path / "fraud-detector.rules.yml").write_text(rules.replace(before, after))
    test_file = tmp_path / "tests/fraud-detector.test.yml"
    test_file.write_text((examples_out / "prometheus/tests/fraud-detector.test.yml").read_text())
    result = run(promtool, "test", "rules", str(test_file))
    assert result.returncode != 0
    assert f"alertname: {alertname}" in result.stdout + result.stderr


def test_free_text_cannot_break_or_inject_into_rules(tmp_path: Path) -> None:
    """Quotes, colons, newlines and {{ }} in team and description: the rules
    load, and the promtool tests expect the text back verbatim in labels and
    annotations (templating would change it)."""
    promtool = require_tool("promtool")
    out = written([factories.nasty_model()], factories.config(), tmp_path)
    rules = out / "prometheus/nasty-model.rules.yml"
    lint = run(promtool, "check", "rules", "--lint=all", "--lint-fatal", str(rules))
    assert lint.returncode == 0, lint.stdout + lint.stderr
    result = run(promtool, "test", "rules", str(out / "prometheus/tests/nasty-model.test.yml"))
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]


@pytest.mark.parametrize(
    ("task", "mode"), [("regression", "realtime"), ("ranking", "realtime"), ("ranking", "batch")]
)
def test_other_tasks_alert_as_their_spec_says(tmp_path: Path, task: str, mode: str) -> None:
    promtool = require_tool("promtool")
    model = factories.model(f"toy-{task}", task=task)
    model = replace(
        model,
        serving=replace(
            model.serving, mode=mode, schedule="0 3 * * *" if mode == "batch" else None
        ),
    )
    out = written([model], factories.config(), tmp_path)
    result = run(promtool, "test", "rules", str(out / f"prometheus/tests/toy-{task}.test.yml"))
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]


def test_three_hundred_features_make_valid_rules(tmp_path: Path) -> None:
    promtool = require_tool("promtool")
    model = factories.model(features=factories.features(150, 150))
    rules = tmp_path / "wide.rules.yml"
    rules.write_text(render_rules(model_rules(model), factories.config()))
    result = run(promtool, "check", "rules", "--lint=all", "--lint-fatal", str(rules))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "SUCCESS: 649 rules found" in result.stdout


def test_alertmanager_config_passes_amtool(examples_out: Path) -> None:
    amtool = require_tool("amtool")
    result = run(amtool, "check-config", str(examples_out / "alertmanager.yml"))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("labels", "receiver"),
    [
        (["model=fraud-detector", "severity=page"], "fraud-detector-page"),
        (["model=fraud-detector", "severity=ticket"], "fraud-detector-ticket"),
        (["model=recommender", "severity=page"], "recommender-page"),
        (["model=demand-forecast", "severity=ticket"], "demand-forecast-ticket"),
        (["model=unknown", "severity=page"], "mlcp-unrouted"),
    ],
)
def test_alertmanager_routes_each_severity(
    examples_out: Path, labels: list[str], receiver: str
) -> None:
    amtool = require_tool("amtool")
    config = f"--config.file={examples_out / 'alertmanager.yml'}"
    result = run(amtool, "config", "routes", "test", config, *labels)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == receiver


def test_alertmanager_never_holds_a_secret_inline(examples_out: Path) -> None:
    config = loads((examples_out / "alertmanager.yml").read_text())
    for receiver in config["receivers"]:
        for pagerduty in receiver.get("pagerduty_configs", []):
            assert "routing_key" not in pagerduty and "service_key" not in pagerduty
            assert pagerduty["routing_key_file"].startswith("/etc/alertmanager/secrets/")
        for slack in receiver.get("slack_configs", []):
            assert "api_url" not in slack
    inhibit = config["inhibit_rules"]
    assert {tuple(rule["equal"]) for rule in inhibit} == {
        (contract.MODEL, contract.FEATURE),
        (contract.MODEL,),
    }


def _dashboard_queries(panels: list[dict[str, object]]) -> list[str]:
    queries: list[str] = []
    for panel in panels:
        queries += _dashboard_queries(panel.get("panels", []))  # type: ignore[arg-type]
        queries += [t["expr"] for t in panel.get("targets", [])]  # type: ignore[attr-defined]
    return queries


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_dashboard_query_parses_and_reads_a_recorded_series(
    examples_out: Path, name: str, tmp_path: Path
) -> None:
    """Grafana sends each panel's expr to Prometheus: promtool parses them all (as recording
    rules), and every mlcp:* series a panel reads is one the model's rules record."""
    promtool = require_tool("promtool")
    board = json.loads((examples_out / "grafana" / f"{name}.json").read_text())
    queries = _dashboard_queries(board["panels"])
    assert queries
    as_rules = {
        "groups": [
            {
                "name": "dashboard",
                "rules": [
                    {"record": f"dashboard:query_{i}:x", "expr": q} for i, q in enumerate(queries)
                ],
            }
        ]
    }
    path = tmp_path / "dashboard.rules.yml"
    path.write_text(json.dumps(as_rules))
    result = run(promtool, "check", "rules", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    rules = loads((examples_out / "prometheus" / f"{name}.rules.yml").read_text())
    recorded = {r["record"] for g in rules["groups"] for r in g["rules"] if "record" in r}
    read = {m for q in queries for m in re.findall(r"\bmlcp:[a-z0-9_]+:[a-z0-9_]+", q)}
    assert read and read <= recorded, sorted(read - recorded)


def test_a_feature_drifted_over_every_window_pages_once_naming_the_worst(tmp_path: Path) -> None:
    """PSI past critical over 1h, 1d and 7d at once: one page for the feature, whose
    description names the 1h window, where the PSI is highest."""
    promtool = require_tool("promtool")
    model = factories.model()
    rules = render_rules(model_rules(model), factories.config())
    (tmp_path / "toy.rules.yml").write_text(rules)
    psi = {"1h": 0.5, "1d": 0.3, "7d": 0.27}  # critical is 0.25
    series = [
        {
            "series": f'mlcp:feature_psi:{window}{{model="toy-model", feature="num_000", '
            f'window="{window}"}}',
            "values": f"{value}+0x40",
        }
        for window, value in psi.items()
    ]
    description = (
        "PSI of feature num_000 is worst over the last 1h: 0.500, at or above the critical "
        "threshold 0.25.\ntoy-model: A toy model for tests."
    )
    page = {
        "exp_labels": {
            "severity": "page",
            "model": "toy-model",
            "team": "toy-team",
            "tier": "standard",
            "category": "data",
            "feature": "num_000",
        },
        "exp_annotations": {
            "summary": "toy-model: feature num_000 drifted (critical)",
            "description": description,
            "runbook_url": "https://example.com/runbooks/toy-model.md#mlcpfeaturedriftcritical",
        },
    }
    test = {
        "rule_files": ["toy.rules.yml"],
        "evaluation_interval": "5m",
        # Without it promtool runs the groups in any order: the alert could read
        # mlcp:feature_psi:worst one evaluation late, and fire a step after its `for`.
        "group_eval_order": [group["name"] for group in loads(rules)["groups"]],
        "tests": [
            {
                "interval": "1m",
                "input_series": series,
                "alert_rule_test": [
                    {"alertname": "MLCPFeatureDriftCritical", "eval_time": "10m", "exp_alerts": []},
                    {
                        "alertname": "MLCPFeatureDriftCritical",
                        "eval_time": "15m",
                        "exp_alerts": [page],
                    },
                ],
            }
        ],
    }
    path = tmp_path / "toy.test.yml"
    path.write_text(json.dumps(test))
    result = run(promtool, "test", "rules", str(path))
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


EXTREME_BARS = {
    # The edges of each metric's range (domain.METRIC_RANGES): a recall bar of 0.005% made
    # the scenario's "below" case a negative recall, and its precision a division by zero.
    "classification": (
        QualityMetric("recall", 0.00005, None, 86400.0, True),
        QualityMetric("precision", 0.999999, None, 86400.0, False),
        QualityMetric("false_negative_rate", None, 0.9999, 3600.0, False),
        QualityMetric("f1", 1e-300, None, 86400.0, False),
    ),
    "regression": (
        QualityMetric("r2", -0.99, None, 86400.0, True),
        QualityMetric("rmse", None, 1e11, 86400.0, False),
    ),
}


@pytest.mark.parametrize("task", EXTREME_BARS)
def test_bars_at_the_edges_of_their_range_render_tests_promtool_passes(
    tmp_path: Path, task: str
) -> None:
    promtool = require_tool("promtool")
    model = factories.model(f"edge-{task}", task=task)
    proxy = Proxy("returns", "returns_total", "orders_total", None, 999_999.0, 3600.0, False)
    model = replace(
        model, quality=replace(model.quality, metrics=EXTREME_BARS[task], proxies=(proxy,))
    )
    out = written([model], factories.config(), tmp_path)
    result = run(promtool, "test", "rules", str(out / f"prometheus/tests/edge-{task}.test.yml"))
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
