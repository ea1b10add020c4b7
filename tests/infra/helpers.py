"""Compile the example specs (edited, in memory) and preview them under Pulumi's mocks."""

from __future__ import annotations

import hashlib
from typing import Any

from controlplane.compile import compile_sources
from controlplane.infra import preview_offline
from controlplane.model import Config, Model
from tests.memory import EXAMPLE_TEXTS, edited, example_sources

Record = dict[str, Any]


def compiled(**texts: str) -> tuple[tuple[Model, ...], Config]:
    specs, config = example_sources(**texts)
    compilation = compile_sources(specs, config)
    assert compilation.ok, compilation.diagnostics
    return compilation.models, compilation.config


def preview(**texts: str) -> list[Record]:
    models, config = compiled(**texts)
    return preview_offline(models, config)


def at_state(state: str) -> list[Record]:
    """The examples with fraud-detector's rollout at `state` (it is at shadow as written)."""
    if state == "shadow":
        return preview()
    return preview(
        fraud_detector=edited("fraud-detector.yaml", "  state: shadow", f"  state: {state}")
    )


def one(records: list[Record], type_token: str, name: str) -> Record:
    found = [r for r in records if r["type"] == type_token and r["name"] == name]
    assert len(found) == 1, f"{type_token} {name}: {len(found)} found"
    return found[0]


def of_model(records: list[Record], model: str, type_token: str) -> list[Record]:
    return [r for r in records if r["model"] == model and r["type"] == type_token]


def spec_sha(file_name: str) -> str:
    return hashlib.sha256(EXAMPLE_TEXTS[file_name].encode("utf-8")).hexdigest()


ENDPOINT = "aws:sagemaker/endpoint:Endpoint"
CONFIGURATION = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
SAGEMAKER_MODEL = "aws:sagemaker/model:Model"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
REDIS = "aws:elasticache/replicationGroup:ReplicationGroup"
JOB_DEFINITION = "aws:batch/jobDefinition:JobDefinition"
COMPUTE = "aws:batch/computeEnvironment:ComputeEnvironment"
QUEUE = "aws:batch/jobQueue:JobQueue"
SCHEDULE = "aws:scheduler/schedule:Schedule"
