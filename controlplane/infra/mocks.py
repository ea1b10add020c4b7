"""Pulumi's mocks, recording: every registered resource with its parent and inputs.

A mock resource's outputs are its inputs plus what the provider would compute,
made from its type, logical name and replacing inputs (an ARN, a name, a bucket;
see `physical_name`), so a model previewed on its own sees the platform's outputs
exactly as in the whole program.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs

from controlplane.infra import records

ACCOUNT = "123456789012"
BUCKET = "aws:s3/bucket:Bucket"


@dataclass
class Registered:
    urn: str
    type: str
    name: str
    parent_urn: str
    custom: bool
    inputs: dict[str, Any]


def arn(type_token: str, name: str, region: str) -> str:
    """The ARN the provider would report for a resource of this type and name."""
    module = type_token.split(":")[1].split("/")[0]
    kind = type_token.rsplit(":", 1)[-1]
    kebab = "".join(f"-{c.lower()}" if c.isupper() else c for c in kind).lstrip("-")
    if module == "iam":
        return f"arn:aws:iam::{ACCOUNT}:{kebab}/{name}"
    if module == "s3":
        return f"arn:aws:s3:::{name}"
    return f"arn:aws:{module}:{region}:{ACCOUNT}:{kebab}/{name}"


def physical_name(type_token: str, name: str, inputs: dict[str, Any]) -> str:
    """The name AWS knows a resource by, when its inputs name none.

    Pulumi adds a random suffix to the logical name, drawn anew at each replacement; here
    the suffix is a digest of the inputs whose change replaces the resource, so that what
    refers to a replaced resource (an endpoint to its configuration, a configuration to its
    SageMaker model) changes with it, as it does in AWS. A resource none of whose replacing
    inputs are set keeps its logical name (the platform's, which `offline_refs` rebuilds).
    """
    normalized = records.normalize(inputs)
    keys = records.REPLACE_ON.get(type_token, ("name",))
    replacing = {key: normalized[key] for key in keys if key in normalized}
    if not replacing:
        return name
    text = json.dumps(replacing, sort_keys=True, default=str)
    return f"{name}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:8]}"


def outputs(type_token: str, name: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
    state = dict(inputs)
    physical = str(inputs["name"]) if "name" in inputs else physical_name(type_token, name, inputs)
    state.setdefault("arn", arn(type_token, physical, region))
    state.setdefault("name", physical)
    if type_token == BUCKET:
        state.setdefault("bucket", physical)
    return state


class RecordingMocks(pulumi.runtime.Mocks):
    def __init__(self, region: str) -> None:
        self.region = region
        self.registered: list[Registered] = []
        self.parent_urn = ""  # of the registration in progress (set by the monitor)

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.registered.append(
            Registered(
                "", args.typ, args.name, self.parent_urn, bool(args.custom), dict(args.inputs)
            )
        )
        return args.name, outputs(args.typ, args.name, dict(args.inputs), self.region)

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], None]:
        return {}, None


class RecordingMonitor(MockMonitor):
    """Tells the mocks each resource's parent, which MockResourceArgs does not carry."""

    def __init__(self, mocks: RecordingMocks) -> None:
        super().__init__(mocks)
        self.recording = mocks
        self.lock = threading.Lock()  # registrations arrive from the SDK's executor threads

    def RegisterResource(self, request: Any) -> Any:
        with self.lock:
            count = len(self.recording.registered)
            self.recording.parent_urn = request.parent
            response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
            if len(self.recording.registered) > count:
                self.recording.registered[-1].urn = response.urn
            return response
