"""ModelEndpoint under Pulumi's mocks: what each rollout state of the spec puts on SageMaker.

Expected values are read off the example specs as written (instance types, weights
from the state's name, the SLA's bounds, rollback_on), not from the components.
"""

from __future__ import annotations

import pytest

from tests.infra.helpers import (
    ALARM,
    CONFIGURATION,
    ENDPOINT,
    REDIS,
    SAGEMAKER_MODEL,
    at_state,
    one,
    preview,
)

FRAUD_ROLLBACK_ON = ["latency_p99", "error_rate", "false_negative_rate"]  # as the spec lists them


def variants(config: dict[str, object], key: str) -> dict[str, int]:
    found = config["inputs"].get(key) or []  # type: ignore[attr-defined]
    return {v["variant_name"]: v["initial_variant_weight"] for v in found}


def test_recommender_serves_on_a_g5_behind_an_encrypted_redis() -> None:
    records = preview()
    config = one(records, CONFIGURATION, "recommender-config")["inputs"]
    assert {v["instance_type"] for v in config["production_variants"]} == {"ml.g5.xlarge"}
    assert {v["initial_instance_count"] for v in config["production_variants"]} == {2}
    cache = one(records, REDIS, "recommender-cache")
    assert cache["parent"] == "recommender-endpoint"
    assert cache["inputs"]["engine"] == "redis"
    assert cache["inputs"]["node_type"] == "cache.r7g.large"
    assert cache["inputs"]["at_rest_encryption_enabled"] is True
    assert cache["inputs"]["transit_encryption_enabled"] is True
    assert not [r for r in records if r["type"] == REDIS and r["model"] != "recommender"]


def test_canary_5_weights_stable_95_and_candidate_5_with_alarms_that_roll_back() -> None:
    records = at_state("canary-5")
    config = one(records, CONFIGURATION, "fraud-detector-config")
    assert variants(config, "production_variants") == {"stable": 95, "candidate": 5}
    assert variants(config, "shadow_production_variants") == {}
    endpoint = one(records, ENDPOINT, "fraud-detector")["inputs"]
    rollback = endpoint["deployment_config"]["auto_rollback_configuration"]["alarms"]
    expected = [f"fraud-detector-{s.replace('_', '-')}" for s in FRAUD_ROLLBACK_ON]
    assert [a["alarm_name"] for a in rollback] == expected
    alarm_names = {r["name"] for r in records if r["type"] == ALARM}
    assert set(expected) <= alarm_names  # each one names an alarm the program declares
    bake = endpoint["deployment_config"]["blue_green_update_policy"]
    assert bake["traffic_routing_configuration"]["wait_interval_in_seconds"] == 3600  # 2h, capped


def test_the_alarms_hold_the_spec_bounds_in_cloudwatch_units() -> None:
    records = at_state("canary-5")
    latency = one(records, ALARM, "fraud-detector-latency-p99")["inputs"]
    assert latency["metric_name"] == "ModelLatency"
    assert latency["extended_statistic"] == "p99"
    assert latency["threshold"] == 150_000  # p99: 150ms, in microseconds
    assert latency["dimensions"] == {"EndpointName": "fraud-detector", "VariantName": "candidate"}
    errors = one(records, ALARM, "fraud-detector-error-rate")["inputs"]
    assert errors["threshold"] == pytest.approx(0.001)  # error_rate: 0.1%
    metrics = {q["id"]: q for q in errors["metric_queries"]}
    assert metrics["errors"]["metric"]["metric_name"] == "Invocation5XXErrors"
    assert metrics["ratio"]["expression"] == "errors / invocations"
    fnr = one(records, ALARM, "fraud-detector-false-negative-rate")["inputs"]
    assert (fnr["comparison_operator"], fnr["threshold"]) == ("GreaterThanThreshold", 0.03)


def test_shadow_is_one_production_variant_a_shadow_variant_and_data_capture() -> None:
    records = at_state("shadow")
    config = one(records, CONFIGURATION, "fraud-detector-config")
    assert variants(config, "production_variants") == {"stable": 100}
    assert list(variants(config, "shadow_production_variants")) == ["candidate"]
    capture = config["inputs"]["data_capture_config"]
    assert capture["enable_capture"] is True
    assert capture["destination_s3_uri"].startswith("s3://")
    images = {
        r["name"]: r["inputs"]["primary_container"]["image"]
        for r in records
        if r["type"] == SAGEMAKER_MODEL and r["model"] == "fraud-detector"
    }
    assert images == {
        "fraud-detector-stable": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/fraud-detector:1.4.0",
        "fraud-detector-candidate": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/fraud-detector:1.5.0",
    }


# Every state fraud-detector's rollout (stages [5, 25, 100], a shadow phase) moves through.
STATES = {
    "stable": ({"stable": 100}, []),
    "shadow": ({"stable": 100}, ["candidate"]),
    "canary-5": ({"stable": 95, "candidate": 5}, []),
    "canary-25": ({"stable": 75, "candidate": 25}, []),
    "full": ({"candidate": 100}, []),
}


@pytest.mark.parametrize("state", sorted(STATES))
def test_every_rollout_state_has_its_variants(state: str) -> None:
    records = at_state(state)
    config = one(records, CONFIGURATION, "fraud-detector-config")
    production, shadow = STATES[state]
    assert variants(config, "production_variants") == production
    assert list(variants(config, "shadow_production_variants")) == shadow
    assert ("data_capture_config" in config["inputs"]) == bool(shadow)
    scaled = {r["name"] for r in records if r["type"].startswith("aws:appautoscaling/target")}
    assert {n for n in scaled if n.startswith("fraud-detector-")} == {
        f"fraud-detector-{v}" for v in production
    }


def test_a_new_state_replaces_the_configuration_and_keeps_the_endpoint() -> None:
    before, after = at_state("shadow"), at_state("canary-5")
    old = one(before, CONFIGURATION, "fraud-detector-config")
    new = one(after, CONFIGURATION, "fraud-detector-config")
    changed = {
        k for k in {*old["inputs"], *new["inputs"]} if old["inputs"].get(k) != new["inputs"].get(k)
    }
    assert changed and changed <= set(new["replace_on"])  # a new, auto-named configuration
    assert "name" not in new["inputs"]
    # The same endpoint, updated in place to point at the new configuration's new name.
    endpoints = [one(r, ENDPOINT, "fraud-detector") for r in (before, after)]
    moved = {
        k
        for k in endpoints[0]["inputs"]
        if endpoints[0]["inputs"][k] != endpoints[1]["inputs"].get(k)
    }
    assert moved == {"endpoint_config_name"}
    assert not moved & set(endpoints[1]["replace_on"])
    assert endpoints[1]["inputs"]["name"] == "fraud-detector"
    names = [e["inputs"]["endpoint_config_name"] for e in endpoints]
    assert all(n.startswith("fraud-detector-config-") for n in names)
