"""`build/pagerduty/services.json`: the desired PagerDuty state, and the Alertmanager
routing key files that point into mlcp.yaml's `pagerduty.routing_key_dir`."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from controlplane.oncall.live import to_live
from controlplane.render.monitoring import render as render_monitoring
from controlplane.render.monitoring.yamlio import loads
from controlplane.render.oncall import OWNED_FIELDS, SERVICES, desired_service, render
from tests.conftest import ROOT, require_tool
from tests.golden import match_file
from tests.render import factories
from tests.render.monitoring_files import EXAMPLES, compiled_examples, write

GOLDEN = ROOT / "tests/golden/pagerduty/services.json"


def test_services_json_matches_golden(monkeypatch: pytest.MonkeyPatch, update_golden: bool) -> None:
    models, config = compiled_examples(monkeypatch)
    (artifact,) = render(models, config)
    assert artifact.path == SERVICES
    match_file(GOLDEN, artifact.content, update_golden)


def test_one_service_per_spec_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    models, config = compiled_examples(monkeypatch)
    data = json.loads(render(models, config)[0].content)
    by_model = {s["model"]: s for s in data["services"]}
    # From specs/*.yaml and specs/mlcp.yaml (service_prefix "ml-").
    assert list(by_model) == ["demand-forecast", "fraud-detector", "recommender"]
    assert {m: s["name"] for m, s in by_model.items()} == {
        "demand-forecast": "ml-demand-forecast",
        "fraud-detector": "ml-fraud-detector",
        "recommender": "ml-recommender",
    }
    assert {m: s["escalation_policy"] for m, s in by_model.items()} == {
        "demand-forecast": "Supply Chain ML",
        "fraud-detector": "Risk ML",
        "recommender": "Discovery ML",
    }
    assert {m: s["urgency"] for m, s in by_model.items()} == {
        "demand-forecast": "low",
        "fraud-detector": "high",
        "recommender": "high",
    }
    assert by_model["fraud-detector"]["team"] == "risk-ml"
    assert by_model["fraud-detector"]["routing_key_file"] == (
        "/etc/alertmanager/secrets/pagerduty/ml-fraud-detector"
    )
    assert by_model["fraud-detector"]["integration"] == {
        "name": "mlcp[ml-]: ml-fraud-detector",
        "type": "events_api_v2_inbound_integration",
    }


def test_timeouts_follow_the_tier() -> None:
    config = factories.config()
    tiers = {
        tier: json.loads(render([factories.model(tier=tier)], config)[0].content)["services"][0]
        for tier in ("critical", "standard", "experimental")
    }
    # Seconds: 30 min and 1 h to acknowledge; an experimental page is never re-raised.
    assert {t: s["acknowledgement_timeout"] for t, s in tiers.items()} == {
        "critical": 1800,
        "standard": 3600,
        "experimental": None,
    }
    assert tiers["critical"]["auto_resolve_timeout"] is None  # a person closes it


def test_free_text_cannot_change_the_structure() -> None:
    text = 'He said "stop"}\n], "services": [{"name": "evil"}]\t\\ ü'
    model = factories.model(description=text)
    data = json.loads(render([model], factories.config())[0].content)
    (service,) = data["services"]
    assert service["description"].startswith(text.strip())


def test_services_are_sorted_and_stable() -> None:
    config = factories.config()
    models = [factories.model(name) for name in ("zeta-model", "alpha-model", "mid-model")]
    first = render(models, config)[0].content
    assert first == render(list(reversed(models)), config)[0].content
    names = [s["model"] for s in json.loads(first)["services"]]
    assert names == ["alpha-model", "mid-model", "zeta-model"]


def test_alertmanager_reads_the_keys_where_mlcp_yaml_says(tmp_path: Path) -> None:
    config = factories.config(pagerduty_routing_key_dir="/run/secrets/pd-keys")
    models = [factories.model("toy-model", tier="critical")]
    folder = write(render_monitoring(models, config), tmp_path)
    alertmanager = loads((folder / "alertmanager.yml").read_text())
    files = {
        p["routing_key_file"]
        for r in alertmanager["receivers"]
        for p in r.get("pagerduty_configs", [])
    }
    assert files == {"/run/secrets/pd-keys/ml-toy-model"}
    amtool = require_tool("amtool")
    result = subprocess.run(
        [amtool, "check-config", str(folder / "alertmanager.yml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_services_json_names_the_key_alertmanager_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    models, config = compiled_examples(monkeypatch)
    config = replace(config, pagerduty_routing_key_dir="/srv/keys")
    data = json.loads(render(models, config)[0].content)
    alertmanager = loads(
        next(
            a for a in render_monitoring(models, config) if a.path.endswith("alertmanager.yml")
        ).content
    )
    read = {
        p["routing_key_file"]
        for r in alertmanager["receivers"]
        for p in r.get("pagerduty_configs", [])
    }
    assert read == {s["routing_key_file"] for s in data["services"]}
    # The folder set above, and "ml-" (specs/mlcp.yaml) + each example's name.
    assert read == {f"/srv/keys/ml-{name}" for name in EXAMPLES}


def test_the_fields_mlcp_sends_are_the_fields_it_reads_back() -> None:
    # The service fields of PagerDuty's REST API v2 that mlcp sets, listed by hand.
    assert OWNED_FIELDS == (
        "name",
        "description",
        "acknowledgement_timeout",
        "auto_resolve_timeout",
        "incident_urgency_rule",
        "alert_creation",
    )
    desired = desired_service(factories.model(tier="standard"), factories.config())
    sent = desired.fields()
    assert sent["incident_urgency_rule"] == {"type": "constant", "urgency": "severity_based"}
    assert sent["alert_creation"] == "create_alerts_and_incidents"
    # A service as PagerDuty returns it, holding what was sent and more: read back, the
    # fields mlcp compares are exactly those it sent.
    live = to_live({"id": "PSVC001", "summary": "ignored", "status": "active", **sent})
    assert live.fields == sent
