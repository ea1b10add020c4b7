"""Shadow divergence through a real Prometheus scraping the real exporter.

The exporter of fraud-detector (a shadow phase, classification) records 1,000
requests answered by both variants, 37 of them with different classes; the
generated recording rule and `mlcp promote`'s query must both read 3.7%.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pyarrow as pa
import pytest
from prometheus_client import start_http_server

from controlplane import contract
from controlplane.compile import compile_paths
from controlplane.model import Model
from controlplane.monitor import ModelMonitor, build_profile
from controlplane.render.monitoring import PROMETHEUS, render
from controlplane.render.monitoring.yamlio import loads
from controlplane.rollout.evidence import from_prometheus
from tests.conftest import SPECS, require_tool
from tests.monitor.prometheus_stack import PrometheusApi, free_port, process, wait_for
from tests.rollout.gitrepo import fraud_since, spec_repo
from tests.spec.clirun import run_mlcp

COMPARED, DISAGREE = 1000, 37
RECORDED = contract.recorded(contract.REC_SHADOW_DIVERGENCE, "1h")


def reference(model: Model) -> pa.Table:
    rows = 200
    columns = {
        f.name: [float(i % 17) for i in range(rows)]
        if f.kind == "numeric"
        else [f"c{i % 3}" for i in range(rows)]
        for f in model.features
    }
    return pa.table(columns)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Model, ModelMonitor, str]]:
    prometheus, promtool = require_tool("prometheus"), require_tool("promtool")
    compilation = compile_paths([SPECS])
    model = next(m for m in compilation.models if m.name == "fraud-detector")
    generated = {a.path: a.content for a in render(compilation.models, compilation.config)}
    rules = tmp_path / "fraud-detector.rules.yml"
    rules.write_text(json.dumps(loads(generated[f"{PROMETHEUS}/fraud-detector.rules.yml"])))
    monitor = ModelMonitor(model, build_profile(reference(model), model))
    with ExitStack() as cleanup:
        port, prom_port = free_port(), free_port()
        server, _ = start_http_server(port, addr="127.0.0.1", registry=monitor.registry)
        cleanup.callback(server.server_close)
        cleanup.callback(server.shutdown)
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(rules)],
            "scrape_configs": [
                {"job_name": "mlcp", "static_configs": [{"targets": [f"127.0.0.1:{port}"]}]}
            ],
        }
        (tmp_path / "prometheus.yml").write_text(json.dumps(config))
        cleanup.enter_context(
            process(
                [
                    prometheus,
                    f"--config.file={tmp_path / 'prometheus.yml'}",
                    f"--storage.tsdb.path={tmp_path / 'data'}",
                    f"--web.listen-address=127.0.0.1:{prom_port}",
                ],
                tmp_path / "prometheus.log",
                f"http://127.0.0.1:{prom_port}/-/ready",
            )
        )
        assert promtool
        yield model, monitor, f"http://127.0.0.1:{prom_port}"


def test_the_recorded_divergence_is_the_share_of_disagreements(
    served: tuple[Model, ModelMonitor, str], tmp_path: Path
) -> None:
    model, monitor, url = served
    api = PrometheusApi(int(url.rsplit(":", 1)[1]))
    zero = f'{contract.SHADOW_COMPARISONS_TOTAL}{{model="fraud-detector"}}'
    wait_for("the zero samples", lambda: api.query(zero) or None)
    for request in range(COMPARED):
        stable = "fraud" if request % 2 else "legit"
        candidate = ("legit" if stable == "fraud" else "fraud") if request < DISAGREE else stable
        monitor.record_shadow(stable, candidate)

    def recorded() -> float | None:
        found = api.query(f'{RECORDED}{{model="fraud-detector"}}')
        value = float(found[0]["value"][1]) if found else None
        return value if value is not None and abs(value - DISAGREE / COMPARED) < 1e-9 else None

    assert wait_for("the recorded divergence", recorded) == pytest.approx(0.037)
    figure = from_prometheus(url, model, 3600)
    assert figure.value == pytest.approx(0.037)
    assert figure.measure == "disagreement rate"
    assert figure.comparisons == COMPARED
    assert figure.source == f"Prometheus at {url}, over the last 1h"

    # promote reads it over the whole time in shadow (49h here) and puts it in the commit
    repo = spec_repo(tmp_path / "repo", fraud_detector=fraud_since(49 * 3600 + 30))
    specs = str(tmp_path / "repo" / "specs")
    run = run_mlcp(["promote", "fraud-detector", "--prometheus", url, "--specs", specs])
    assert run.code == 0, run.stderr
    assert (
        "- shadow divergence (disagreement rate) 3.70% over 1000 requests, within"
        " rollout.shadow.max_divergence 5.00%; from Prometheus at"
        f" {url}, over the last 2d 1h" in repo.head.commit.message
    )


def test_a_model_without_a_shadow_phase_has_no_shadow_series() -> None:
    model = next(m for m in compile_paths([SPECS]).models if m.name == "demand-forecast")
    monitor = ModelMonitor(model, build_profile(reference(model), model))
    with pytest.raises(ValueError, match="demand-forecast declares no shadow phase"):
        monitor.record_shadow(1.0, 2.0)
