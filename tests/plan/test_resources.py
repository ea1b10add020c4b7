"""The resource and service diffs, on synthetic infrastructure and PagerDuty artifacts
rendered by renderers added to the build's list, as the real ones will be."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from controlplane import build
from controlplane.model import Config, Model
from controlplane.plan.planner import make_plan
from controlplane.plan.resources import resource_changes, service_changes
from controlplane.plan.types import ResourceChange, ServiceChange
from controlplane.render import Artifact
from tests.plan.repo import BASE_BRANCH, make_repo, replace


def fake_infra(models: Sequence[Model], config: Config) -> list[Artifact]:
    resources = []
    for m in models:
        resources.append({
            "model": m.name, "type": "aws:sagemaker/endpoint:Endpoint", "name": m.name,
            "parent": None, "inputs": {"instance_type": m.serving.instance_type,
                                       "min": m.serving.instances_min},
            "replace_on": ["instance_type"],
        })  # fmt: skip
        if m.serving.cache:
            resources.append({
                "model": m.name, "type": "aws:elasticache/cluster:Cluster",
                "name": f"{m.name}-cache", "parent": m.name,
                "inputs": {"node_type": m.serving.cache.node_type},
            })  # fmt: skip
    document = {"version": 1, "resources": resources}
    return [Artifact("infra/resources.json", json.dumps(document, indent=2))]


def fake_pagerduty(models: Sequence[Model], config: Config) -> list[Artifact]:
    services = [
        {"name": f"ml-{m.name}", "model": m.name, "urgency": m.oncall.urgency} for m in models
    ]
    return [Artifact("pagerduty/services.json", json.dumps({"services": services}))]


@pytest.fixture
def renderers(monkeypatch: pytest.MonkeyPatch) -> None:
    shared = (*build.SHARED_RENDERERS, fake_infra, fake_pagerduty)
    monkeypatch.setattr(build, "SHARED_RENDERERS", shared)


def test_cache_added_creates_a_redis_replication_group(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit = replace(
        "fraud-detector",
        "  target_invocations_per_instance: 700\n",
        "  target_invocations_per_instance: 700\n  cache: {backend: redis, ttl: 1h}\n",
    )
    monkeypatch.chdir(make_repo(tmp_path / "r", edit))
    plan = make_plan(Path("specs"), BASE_BRANCH)
    [fraud] = plan.models
    created = {(r.type, r.name) for r in fraud.resources if r.action == "create"}
    assert ("aws:elasticache/replicationGroup:ReplicationGroup", "fraud-detector-cache") in created
    assert not any(r.action in ("replace", "delete") for r in fraud.resources)


def test_instance_change_is_a_new_endpoint_configuration_not_a_new_endpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit = replace("fraud-detector", "instance_type: ml.c5.xlarge", "instance_type: ml.c5.2xlarge")
    monkeypatch.chdir(make_repo(tmp_path / "r", edit))
    plan = make_plan(Path("specs"), BASE_BRANCH)
    [fraud] = plan.models
    by_type = {r.type: r for r in fraud.resources}
    config = by_type["aws:sagemaker/endpointConfiguration:EndpointConfiguration"]
    assert (config.action, config.risky) == ("replace", False)  # immutable: blue/green begins
    assert "production_variants" in config.changed
    endpoint = by_type["aws:sagemaker/endpoint:Endpoint"]
    assert endpoint.action == "update"  # the same endpoint, pointed at the new configuration
    assert not any(f.severity == "risk" and "replaced" in f.message for f in fraud.findings)


@pytest.mark.usefixtures("renderers")
def test_urgency_raised_updates_the_service(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit = replace("demand-forecast", "urgency: low", "urgency: high")
    monkeypatch.chdir(make_repo(tmp_path / "r", edit))
    plan = make_plan(Path("specs"), BASE_BRANCH)
    [demand] = plan.models
    assert demand.services == (ServiceChange("update", "ml-demand-forecast", ("urgency",)),)


def _doc(*resources: dict[str, object]) -> list[Artifact]:
    return [Artifact("infra/resources.json", json.dumps({"version": 1, "resources": resources}))]


def test_resource_actions() -> None:
    a = {"model": "m", "type": "T", "name": "a", "parent": None, "inputs": {"x": 1}}
    b = {"model": "m", "type": "T", "name": "b", "parent": None, "inputs": {"x": 1}}
    moved = {**b, "inputs": {"x": 2}}
    c = {"model": None, "type": "T", "name": "c", "parent": None, "inputs": {}}
    changes = resource_changes(_doc(a, b), _doc(moved, c))
    assert changes == {
        "m": [ResourceChange("delete", "T", "a"), ResourceChange("update", "T", "b", ("x",))],
        "": [ResourceChange("create", "T", "c")],
    }


def test_absent_artifacts_are_no_change() -> None:
    assert resource_changes([], []) == {}
    assert service_changes([], []) == {}
