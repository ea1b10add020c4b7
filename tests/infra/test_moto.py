"""The preview's inputs, sent to AWS's APIs through boto3 against moto.

botocore checks every parameter against AWS's service models (names, types, required
keys, lengths, ranges) and moto applies some of AWS's own rules, so a value the
mocks let through but AWS would refuse fails here. Each call is built from the
preview's record alone: the logical name stands in for the auto-generated one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from controlplane.infra.mocks import physical_name
from tests.infra.helpers import (
    ALARM,
    CONFIGURATION,
    ENDPOINT,
    JOB_DEFINITION,
    REDIS,
    SAGEMAKER_MODEL,
    SCHEDULE,
    at_state,
    one,
)

REGION = "eu-west-1"  # mlcp.yaml's aws.region
Record = dict[str, Any]


def pascal(value: Any) -> Any:
    """snake_case keys as AWS's query and JSON APIs spell them (ModelDataUrl, S3Uri)."""
    if isinstance(value, dict):
        return {
            "".join(p[:1].upper() + p[1:] for p in k.split("_")): pascal(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [pascal(v) for v in value]
    return value


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def without(inputs: Record, *keys: str) -> Record:
    return {k: v for k, v in inputs.items() if k not in keys}


@pytest.fixture
def aws(fake_aws_credentials: None) -> Iterator[Callable[[str], Any]]:
    with mock_aws():
        yield lambda service: boto3.client(service, region_name=REGION)


def physical(record: Record) -> str:
    """The name the resource has in AWS (auto-named ones get a suffix), which others use."""
    return physical_name(record["type"], record["name"], record["inputs"])


def create_sagemaker(aws: Callable[[str], Any], records: list[Record], model: str) -> Any:
    sagemaker = aws("sagemaker")
    for record in records:
        if record["type"] == SAGEMAKER_MODEL and record["model"] == model:
            inputs = record["inputs"]
            sagemaker.create_model(
                ModelName=physical(record),
                ExecutionRoleArn=inputs["execution_role_arn"],
                PrimaryContainer=pascal(inputs["primary_container"]),
                VpcConfig=pascal(inputs["vpc_config"]),
                Tags=tag_list(inputs["tags"]),
            )
    config = one(records, CONFIGURATION, f"{model}-config")
    sagemaker.create_endpoint_config(
        EndpointConfigName=physical(config),
        **pascal(without(config["inputs"], "tags")),
        Tags=tag_list(config["inputs"]["tags"]),
    )
    endpoint = one(records, ENDPOINT, model)["inputs"]
    sagemaker.create_endpoint(
        EndpointName=endpoint["name"],
        **pascal(without(endpoint, "tags", "name")),
        Tags=tag_list(endpoint["tags"]),
    )
    return sagemaker


@pytest.mark.parametrize("state", ["shadow", "canary-5", "full"])
def test_sagemaker_accepts_the_model_configuration_and_endpoint(aws: Any, state: str) -> None:
    records = at_state(state)
    sagemaker = create_sagemaker(aws, records, "fraud-detector")
    name = physical(one(records, CONFIGURATION, "fraud-detector-config"))
    config = sagemaker.describe_endpoint_config(EndpointConfigName=name)
    weights = {v["VariantName"]: v["InitialVariantWeight"] for v in config["ProductionVariants"]}
    expected = {"shadow": {"stable": 100}, "canary-5": {"stable": 95, "candidate": 5}}
    assert weights == expected.get(state, {"candidate": 100})
    endpoint = sagemaker.describe_endpoint(EndpointName="fraud-detector")
    assert endpoint["EndpointConfigName"] == name


def test_cloudwatch_accepts_every_alarm(aws: Any) -> None:
    cloudwatch = aws("cloudwatch")
    alarms = [r for r in at_state("canary-5") if r["type"] == ALARM]
    for record in alarms:
        inputs = dict(record["inputs"])
        dimensions = inputs.pop("dimensions", None)
        queries = inputs.pop("metric_queries", None)
        call = pascal(without(inputs, "tags"))
        if dimensions:
            call["Dimensions"] = [{"Name": k, "Value": v} for k, v in dimensions.items()]
        if queries:
            call["Metrics"] = [_query(q) for q in queries]
        cloudwatch.put_metric_alarm(AlarmName=record["name"], Tags=tag_list(inputs["tags"]), **call)
    names = {a["AlarmName"] for a in cloudwatch.describe_alarms()["MetricAlarms"]}
    assert names == {r["name"] for r in alarms}


def _query(query: Record) -> Record:
    out: Record = {"Id": query["id"], "ReturnData": query["return_data"]}
    if "expression" in query:
        out |= {"Expression": query["expression"], "Label": query["label"]}
    else:
        metric = query["metric"]
        dims = [{"Name": k, "Value": v} for k, v in metric["dimensions"].items()]
        out["MetricStat"] = {
            "Metric": {
                "Namespace": metric["namespace"],
                "MetricName": metric["metric_name"],
                "Dimensions": dims,
            },
            "Period": metric["period"],
            "Stat": metric["stat"],
        }
    return out


def test_batch_accepts_the_job_definitions(aws: Any) -> None:
    batch = aws("batch")
    jobs = [r for r in at_state("shadow") if r["type"] == JOB_DEFINITION]
    for record in jobs:
        inputs = record["inputs"]
        retry = inputs.get("retry_strategy")
        batch.register_job_definition(
            jobDefinitionName=record["name"],
            type=inputs["type"],
            containerProperties=inputs["container_properties"],
            platformCapabilities=inputs["platform_capabilities"],
            propagateTags=inputs["propagate_tags"],
            timeout={"attemptDurationSeconds": inputs["timeout"]["attempt_duration_seconds"]},
            tags=inputs["tags"],
            **(
                {
                    "retryStrategy": {
                        "attempts": retry["attempts"],
                        "evaluateOnExit": [
                            {
                                "".join(
                                    w.title() if i else w for i, w in enumerate(k.split("_"))
                                ): v
                                for k, v in e.items()
                            }
                            for e in retry["evaluate_on_exits"]
                        ],
                    }
                }
                if retry
                else {}
            ),
        )
    registered = batch.describe_job_definitions()["jobDefinitions"]
    assert {j["jobDefinitionName"] for j in registered} == {r["name"] for r in jobs}
    spot = next(j for j in registered if j["jobDefinitionName"] == "demand-forecast-batch")
    assert spot["retryStrategy"]["evaluateOnExit"][0]["onStatusReason"] == "Host EC2*"


def test_scheduler_accepts_the_schedules(aws: Any) -> None:
    scheduler = aws("scheduler")
    schedules = [r for r in at_state("shadow") if r["type"] == SCHEDULE]
    for record in schedules:
        inputs = record["inputs"]
        target = pascal(inputs["target"])
        target["Input"] = json.dumps(
            inputs["target"]["input"]
        )  # a JSON text, as the program sends it
        scheduler.create_schedule(
            Name=record["name"], **pascal(without(inputs, "target")), Target=target
        )
    stored = scheduler.get_schedule(Name="demand-forecast-batch")
    assert stored["ScheduleExpression"] == "cron(0 3 * * ? *)"
    assert stored["ScheduleExpressionTimezone"] == "UTC"


def test_elasticache_accepts_the_cache(aws: Any) -> None:
    elasticache = aws("elasticache")
    record = one(at_state("shadow"), REDIS, "recommender-cache")
    inputs = record["inputs"]
    elasticache.create_replication_group(
        ReplicationGroupId=record["name"],
        ReplicationGroupDescription=inputs["description"],
        Engine=inputs["engine"],
        CacheNodeType=inputs["node_type"],
        NumCacheClusters=inputs["num_cache_clusters"],
        AutomaticFailoverEnabled=inputs["automatic_failover_enabled"],
        MultiAZEnabled=inputs["multi_az_enabled"],
        AtRestEncryptionEnabled=inputs["at_rest_encryption_enabled"],
        TransitEncryptionEnabled=inputs["transit_encryption_enabled"],
        SecurityGroupIds=inputs["security_group_ids"],
        Tags=tag_list(inputs["tags"]),
    )
    group = elasticache.describe_replication_groups(ReplicationGroupId=record["name"])
    assert group["ReplicationGroups"][0]["AtRestEncryptionEnabled"] is True


def test_autoscaling_accepts_targets_and_policies(aws: Any) -> None:
    scaling = aws("application-autoscaling")
    records = at_state("canary-5")
    targets = [r for r in records if r["type"] == "aws:appautoscaling/target:Target"]
    for record in targets:
        scaling.register_scalable_target(**pascal(without(record["inputs"], "tags")))
    for record in records:
        if record["type"] == "aws:appautoscaling/policy:Policy":
            scaling.put_scaling_policy(PolicyName=record["name"], **pascal(record["inputs"]))
    found = scaling.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"]
    # fraud-detector's instances: {min: 2, max: 8}; recommender's {min: 2, max: 6}
    assert {(t["MinCapacity"], t["MaxCapacity"]) for t in found} == {(2, 8), (2, 6)}


def test_iam_accepts_the_roles_and_their_policies(aws: Any) -> None:
    iam = aws("iam")
    records = at_state("shadow")
    for record in records:
        if record["type"] == "aws:iam/role:Role":
            iam.create_role(
                RoleName=record["name"],
                AssumeRolePolicyDocument=json.dumps(record["inputs"]["assume_role_policy"]),
                Description=record["inputs"]["description"],
            )
    for record in records:
        if record["type"] == "aws:iam/rolePolicy:RolePolicy":
            iam.put_role_policy(
                RoleName=record["name"],
                PolicyName=record["name"],
                PolicyDocument=json.dumps(record["inputs"]["policy"]),
            )
    assert len(iam.list_roles()["Roles"]) == 4
