"""Urgency decides what pages: the generated routes, asked of amtool.

The expected receiver of each alert follows from the urgency the spec declares
(tests/render/oncall_specs.py) and the rule docs/alerts.md states: high pages at
high urgency, low at low urgency, dynamic at low urgency for data alerts only.
The PagerDuty severity each receiver sends is read from the configuration as
Alertmanager loads it (amtool check-config accepts it first).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from controlplane.compile import compile_paths
from controlplane.render.monitoring import ALERTMANAGER, render
from controlplane.render.monitoring.yamlio import loads
from tests.conftest import require_tool
from tests.render.oncall_specs import DYNAMIC, EXPERIMENTAL, HIGH, write_oncall_specs

pytestmark = pytest.mark.realtool


@pytest.fixture(scope="module")
def config_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = write_oncall_specs(tmp_path_factory.mktemp("oncall") / "specs")
    compilation = compile_paths([folder])
    assert compilation.ok, [str(d) for d in compilation.diagnostics]
    (generated,) = [
        a.content for a in render(compilation.models, compilation.config) if a.path == ALERTMANAGER
    ]
    path = folder.parent / "alertmanager.yml"
    path.write_text(generated)
    return path


def routed(config_file: Path, *labels: str) -> str:
    amtool = require_tool("amtool")
    done = subprocess.run(
        [amtool, "config", "routes", "test", f"--config.file={config_file}", *labels],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.strip()


def test_the_configuration_passes_amtool(config_file: Path) -> None:
    amtool = require_tool("amtool")
    done = subprocess.run(
        [amtool, "check-config", str(config_file)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("model", "severity", "category", "receiver"),
    [
        (HIGH, "page", "data", f"{HIGH}-page"),
        (HIGH, "page", "system", f"{HIGH}-page"),
        (HIGH, "ticket", "data", f"{HIGH}-ticket"),
        # The experimental tier's default urgency is low: its pages never wake anyone.
        (EXPERIMENTAL, "page", "data", f"{EXPERIMENTAL}-page-low"),
        (EXPERIMENTAL, "page", "system", f"{EXPERIMENTAL}-page-low"),
        (EXPERIMENTAL, "page", "monitor", f"{EXPERIMENTAL}-page-low"),
        (EXPERIMENTAL, "ticket", "system", f"{EXPERIMENTAL}-ticket"),
        (DYNAMIC, "page", "data", f"{DYNAMIC}-page-low"),
        (DYNAMIC, "page", "system", f"{DYNAMIC}-page"),
        (DYNAMIC, "page", "quality", f"{DYNAMIC}-page"),
        (DYNAMIC, "page", "monitor", f"{DYNAMIC}-page"),
        (DYNAMIC, "ticket", "data", f"{DYNAMIC}-ticket"),
    ],
)
def test_urgency_decides_where_a_page_goes(
    config_file: Path, model: str, severity: str, category: str, receiver: str
) -> None:
    labels = [f"model={model}", f"severity={severity}", f"category={category}"]
    assert routed(config_file, *labels) == receiver


@pytest.mark.parametrize(
    ("receiver", "pagerduty_severity"),
    [
        # PagerDuty's "based on alert severity" urgency: critical is high, warning and info low.
        (f"{HIGH}-page", "critical"),
        (f"{EXPERIMENTAL}-page-low", "warning"),
        (f"{EXPERIMENTAL}-ticket", "info"),
        (f"{DYNAMIC}-page", "critical"),
        (f"{DYNAMIC}-page-low", "warning"),
    ],
)
def test_each_page_receiver_sends_the_severity_of_its_urgency(
    config_file: Path, receiver: str, pagerduty_severity: str
) -> None:
    receivers = {r["name"]: r for r in loads(config_file.read_text())["receivers"]}
    (pagerduty,) = receivers[receiver]["pagerduty_configs"]
    assert pagerduty["severity"] == pagerduty_severity
    assert pagerduty["routing_key_file"].startswith("/etc/alertmanager/secrets/pagerduty/")


def test_a_model_pages_only_through_the_receivers_its_urgency_uses(config_file: Path) -> None:
    names = {r["name"] for r in loads(config_file.read_text())["receivers"]}
    assert {n for n in names if n.startswith(HIGH)} == {f"{HIGH}-page", f"{HIGH}-ticket"}
    assert {n for n in names if n.startswith(EXPERIMENTAL)} == {
        f"{EXPERIMENTAL}-page-low",
        f"{EXPERIMENTAL}-ticket",
    }


def test_an_alert_without_a_summary_is_still_named(config_file: Path, tmp_path: Path) -> None:
    """Alerts from elsewhere (a hand-written rule routed by its model label) may
    carry no summary: the notification still names the model and the alert."""
    amtool = require_tool("amtool")
    receivers = {r["name"]: r for r in loads(config_file.read_text())["receivers"]}
    (pagerduty,) = receivers[f"{HIGH}-page"]["pagerduty_configs"]
    labels = {"alertname": "DiskFull", "model": HIGH, "severity": "page"}
    data = {
        "receiver": f"{HIGH}-page",
        "status": "firing",
        "alerts": [{"status": "firing", "labels": labels, "annotations": {}}],
        "groupLabels": {"model": HIGH, "alertname": "DiskFull"},
        "commonLabels": labels,
        "commonAnnotations": {},
        "externalURL": "",
    }
    (tmp_path / "data.json").write_text(json.dumps(data))
    (tmp_path / "none.tmpl").write_text("")
    done = subprocess.run(
        [
            amtool,
            "template",
            "render",
            f"--template.glob={tmp_path / 'none.tmpl'}",
            f"--template.text={pagerduty['description']}",
            f"--template.data={tmp_path / 'data.json'}",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == "card-fraud: DiskFull"
