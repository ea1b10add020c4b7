"""BatchInference, Retraining and the platform's Batch compute under Pulumi's mocks.

Expected values come from demand-forecast.yaml and mlcp.yaml as written: the
cron, the checkpoint interval, the instance types, the time zone.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.infra.helpers import COMPUTE, JOB_DEFINITION, QUEUE, SCHEDULE, of_model, one, preview


def environment(job: dict[str, Any]) -> dict[str, str]:
    container = job["inputs"]["container_properties"]
    return {e["name"]: e["value"] for e in container["environment"]}


def test_spot_compute_comes_first_and_on_demand_after_it_in_the_queue() -> None:
    records = preview()
    spot = one(records, COMPUTE, "mlcp-cpu-spot")["inputs"]["compute_resources"]
    on_demand = one(records, COMPUTE, "mlcp-cpu-on-demand")["inputs"]["compute_resources"]
    assert (spot["type"], spot["allocation_strategy"]) == ("SPOT", "SPOT_PRICE_CAPACITY_OPTIMIZED")
    assert on_demand["type"] == "EC2"
    # demand-forecast serves on c6i.4xlarge and retrains on c6i.8xlarge; fraud-detector
    # retrains on m5.2xlarge: the CPU environments offer those.
    assert {"c6i.4xlarge", "c6i.8xlarge", "m5.2xlarge"} <= set(spot["instance_types"])
    assert spot["subnets"] == ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"]
    orders = one(records, QUEUE, "mlcp-cpu")["inputs"]["compute_environment_orders"]
    by_order = {o["order"]: o["compute_environment"] for o in orders}
    # Auto-named: the logical name and a suffix that changes when the environment is replaced.
    assert re.fullmatch(
        r"arn:aws:batch:.*:compute-environment/mlcp-cpu-spot-[0-9a-f]{8}", by_order[1]
    )
    assert re.fullmatch(r".*/mlcp-cpu-on-demand-[0-9a-f]{8}", by_order[2])


def test_a_g5_retraining_gets_gpu_compute_with_a_gpu_image() -> None:
    records = preview()
    gpu = one(records, COMPUTE, "mlcp-gpu-spot")["inputs"]["compute_resources"]
    assert gpu["instance_types"] == ["g5.2xlarge"]  # recommender's retraining.compute
    assert gpu["ec2_configurations"] == [{"image_type": "ECS_AL2_NVIDIA"}]
    schedule = one(records, SCHEDULE, "recommender-retraining")["inputs"]
    assert schedule["target"]["input"]["JobQueue"].endswith("/mlcp-gpu")
    job = one(records, JOB_DEFINITION, "recommender-retraining")["inputs"]["container_properties"]
    assert {"type": "GPU", "value": "1"} in job["resourceRequirements"]


def test_the_batch_job_retries_spot_reclaims_only_and_knows_its_checkpoints() -> None:
    records = preview()
    job = one(records, JOB_DEFINITION, "demand-forecast-batch")
    retry = job["inputs"]["retry_strategy"]
    assert retry["attempts"] > 1
    assert retry["evaluate_on_exits"] == [
        {"on_status_reason": "Host EC2*", "action": "RETRY"},
        {"on_reason": "*", "action": "EXIT"},
    ]
    env = environment(job)
    assert env["MLCP_CHECKPOINT_EVERY"] == "600"  # checkpoint: {every: 10m}
    assert env["MLCP_CHECKPOINT_URI"].startswith("s3://")
    assert env["MLCP_CHECKPOINT_URI"].endswith("/checkpoints/demand-forecast/")
    assert job["inputs"]["timeout"]["attempt_duration_seconds"] > 0
    container = job["inputs"]["container_properties"]
    assert container["image"].endswith("/demand-forecast:3.2.1")


def test_the_batch_schedule_is_the_spec_cron_in_the_configured_zone() -> None:
    records = preview()
    schedule = one(records, SCHEDULE, "demand-forecast-batch")["inputs"]
    # schedule: "0 3 * * *" is EventBridge's cron(0 3 * * ? *); mlcp.yaml says UTC.
    assert schedule["schedule_expression"] == "cron(0 3 * * ? *)"
    assert schedule["schedule_expression_timezone"] == "UTC"
    target = schedule["target"]
    assert target["arn"] == "arn:aws:scheduler:::aws-sdk:batch:submitJob"
    assert re.fullmatch(r".*/demand-forecast-batch-[0-9a-f]{8}", target["input"]["JobDefinition"])
    assert target["input"]["JobQueue"].endswith("/mlcp-cpu")


def test_the_time_zone_comes_from_mlcp_yaml() -> None:
    from tests.memory import edited

    config = edited("mlcp.yaml", "  schedule_timezone: UTC", "  schedule_timezone: Europe/Berlin")
    records = preview(mlcp=config)
    zones = {r["inputs"]["schedule_expression_timezone"] for r in records if r["type"] == SCHEDULE}
    assert zones == {"Europe/Berlin"}


# Each cadence as DESIGN.md and the README say it, in EventBridge's words.
@pytest.mark.parametrize(
    ("cadence", "expression"),
    [
        ("daily", "rate(1 day)"),
        ("weekly", "rate(7 days)"),
        ("biweekly", "rate(14 days)"),
        ("'30 4 * * 1'", "cron(30 4 ? * 2 *)"),
    ],
)
def test_retraining_runs_mlcp_retrain_on_its_cadence(cadence: str, expression: str) -> None:
    from tests.memory import edited

    text = edited("demand-forecast.yaml", "  cadence: weekly", f"  cadence: {cadence}")
    records = preview(demand_forecast=text)
    schedule = one(records, SCHEDULE, "demand-forecast-retraining")["inputs"]
    assert schedule["schedule_expression"] == expression
    job = one(records, JOB_DEFINITION, "demand-forecast-retraining")["inputs"]
    assert job["container_properties"]["command"] == ["mlcp", "retrain", "demand-forecast"]
    assert job["timeout"]["attempt_duration_seconds"] == 6 * 3600  # max_runtime: 6h
    assert len(of_model(records, "demand-forecast", SCHEDULE)) == 2
