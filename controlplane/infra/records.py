"""Registered resources as `resources.json` lists them: snake_case inputs, integers as
integers, JSON documents parsed, large texts by their sha256, sorted.

No pulumi here: the plan reads these records without loading the SDK.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from controlplane.infra.tags import PLATFORM, TAG_MODEL
from controlplane.render import jsonwrite

FORMAT_VERSION = 1
# Maps whose keys are data (tag keys, CloudWatch dimensions, environment variables), not names.
DATA_MAPS = frozenset({"tags", "dimensions", "environment"})
# Inputs that hold a JSON document as a string: shown parsed.
JSON_TEXTS = frozenset({"assume_role_policy", "policy", "container_properties", "input"})
# Inputs too long to read in a diff: shown by their sha256 (the generated rules, Alertmanager).
DIGESTED = frozenset({"data", "definition"})
# The inputs whose change makes the AWS provider replace the resource instead of updating it.
REPLACE_ON: dict[str, tuple[str, ...]] = {
    "aws:appautoscaling/policy:Policy": (
        "name",
        "resource_id",
        "scalable_dimension",
        "service_namespace",
    ),
    "aws:appautoscaling/target:Target": ("resource_id", "scalable_dimension", "service_namespace"),
    "aws:amp/ruleGroupNamespace:RuleGroupNamespace": ("name", "workspace_id"),
    "aws:amp/alertManagerDefinition:AlertManagerDefinition": ("workspace_id",),
    "aws:batch/computeEnvironment:ComputeEnvironment": ("compute_resources", "name", "type"),
    "aws:batch/jobDefinition:JobDefinition": ("name", "type"),
    "aws:batch/jobQueue:JobQueue": ("name",),
    "aws:cloudwatch/metricAlarm:MetricAlarm": ("name",),
    "aws:elasticache/replicationGroup:ReplicationGroup": (
        "at_rest_encryption_enabled",
        "engine",
        "replication_group_id",
        "subnet_group_name",
    ),
    "aws:elasticache/subnetGroup:SubnetGroup": ("name",),
    "aws:iam/instanceProfile:InstanceProfile": ("name",),
    "aws:iam/role:Role": ("name", "path"),
    "aws:iam/rolePolicy:RolePolicy": ("name", "role"),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ("policy_arn", "role"),
    "aws:s3/bucket:Bucket": ("bucket",),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ("bucket",),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        "bucket",
    ),
    "aws:s3/bucketVersioning:BucketVersioning": ("bucket",),
    # SageMaker (tests/infra/test_records.py checks these against botocore's API model):
    # UpdateEndpoint swaps the configuration; there is no UpdateEndpointConfig or UpdateModel.
    "aws:sagemaker/endpoint:Endpoint": ("name", "region"),
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": (
        "async_inference_config",
        "data_capture_config",
        "execution_role_arn",
        "kms_key_arn",
        "name",
        "name_prefix",
        "production_variants",
        "region",
        "shadow_production_variants",
    ),
    "aws:sagemaker/model:Model": (
        "containers",
        "enable_network_isolation",
        "execution_role_arn",
        "inference_execution_config",
        "name",
        "primary_container",
        "region",
        "vpc_config",
    ),
    "aws:scheduler/schedule:Schedule": ("name",),
}
_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")


def snake(name: str) -> str:
    return _CAMEL.sub(r"_\1", name).lower()


def normalize(value: Any, key: str = "") -> Any:
    """Mock inputs as the spec would say them: snake_case keys, 3.0 as 3."""
    if isinstance(value, Mapping):
        if key in DATA_MAPS:
            return {k: normalize(v) for k, v in sorted(value.items())}
        pairs = ((snake(k), v) for k, v in value.items() if not k.startswith("__"))
        return {k: _field(k, v) for k, v in sorted(pairs)}
    if isinstance(value, list | tuple):
        return [normalize(v, key) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _field(key: str, value: Any) -> Any:
    if key in JSON_TEXTS and isinstance(value, str):
        return json.loads(value)
    if key in DIGESTED and isinstance(value, str):
        return "sha256:" + hashlib.sha256(value.encode("utf-8")).hexdigest()
    return normalize(value, key)


def model_of(inputs: Mapping[str, Any], parent_model: str | None) -> str | None:
    """The model a resource belongs to: a component says so, a resource by its tag,
    an untagged one by its parent; the platform's belong to none."""
    declared = inputs.get("model", inputs.get("tags", {}).get(TAG_MODEL, parent_model))
    return None if declared in (None, PLATFORM) else str(declared)


def sort_records(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(records, key=lambda r: (r["model"] or "", r["type"], r["name"]))


def document(records: Iterable[dict[str, Any]]) -> str:
    """resources.json: every record, sorted, as stable JSON."""
    return jsonwrite.dumps({"version": FORMAT_VERSION, "resources": sort_records(records)})


_OPEN = '{\n  "resources": [\n'
_CLOSE = f'\n  ],\n  "version": {FORMAT_VERSION}\n}}\n'
_EMPTY = f'{{\n  "resources": [],\n  "version": {FORMAT_VERSION}\n}}\n'


def join_documents(texts: Iterable[str]) -> str:
    """One document holding the records of `texts` (each a `document`), in their order:
    what `document` writes for them all when the documents come in the order their
    records sort (the platform's, then model by model). Text is joined, not parsed and
    written again: a build after one spec changed joins a thousand models' files."""
    items = [_items(text) for text in texts]
    joined = ",\n".join(item for item in items if item)
    return _OPEN + joined + _CLOSE if joined else _EMPTY


def _items(text: str) -> str:
    if text == _EMPTY:
        return ""
    if not (text.startswith(_OPEN) and text.endswith(_CLOSE)):
        raise ValueError("not a resources document written by mlcp")
    return text[len(_OPEN) : -len(_CLOSE)]


def read_document(text: str) -> list[dict[str, Any]]:
    """The records of a document `document` wrote."""
    resources: list[dict[str, Any]] = json.loads(text)["resources"]
    return resources


def count_resources(records: Iterable[dict[str, Any]]) -> int:
    """Cloud resources, not the components that group them."""
    return sum("replace_on" in r for r in records)
