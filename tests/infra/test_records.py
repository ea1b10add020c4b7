"""`records.REPLACE_ON` checked against sources other than itself.

Which inputs of a SageMaker resource force a replacement follows from two
published descriptions, both read offline: the pulumi-aws SDK's `*Args` classes
(every input the provider takes) and botocore's SageMaker service model (what
AWS lets you change in place). An input that no `Update<Noun>` operation takes
can only change by making the resource again; tags change in place through
`AddTags`/`DeleteTags`; a resource's name is what an update is addressed by,
so a new name is a new resource. SageMaker has no `UpdateEndpointConfig` and no
`UpdateModel`: any change to those (but their tags) is a new one.
"""

from __future__ import annotations

import inspect
import re

import botocore.session
import pulumi_aws.sagemaker as sagemaker
import pytest

from controlplane.infra.records import REPLACE_ON

# Pulumi resource type -> (its Args class, the SageMaker API's noun for it).
SAGEMAKER = {
    "aws:sagemaker/endpoint:Endpoint": (sagemaker.EndpointArgs, "Endpoint"),
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": (
        sagemaker.EndpointConfigurationArgs,
        "EndpointConfig",
    ),
    "aws:sagemaker/model:Model": (sagemaker.ModelArgs, "Model"),
}
# Pulumi inputs named otherwise than the API's members.
ALIASES = {"kms_key_arn": "KmsKeyId"}


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _updatable(noun: str) -> set[str]:
    """The API members an `Update<noun>` call changes in place, snake_case; tags always."""
    model = botocore.session.get_session().get_service_model("sagemaker")
    assert {"AddTags", "DeleteTags"} <= set(model.operation_names)
    if f"Update{noun}" not in model.operation_names:
        return {"tags"}
    members = set(model.operation_model(f"Update{noun}").input_shape.members)
    return {"tags", *(_snake(m) for m in members - {f"{noun}Name"})}


def _inputs(args: type) -> set[str]:
    return {p for p in inspect.signature(args.__init__).parameters if p not in ("self", "__self__")}


@pytest.mark.parametrize("kind", SAGEMAKER)
def test_sagemaker_replace_on_is_what_the_api_cannot_update(kind: str) -> None:
    args, noun = SAGEMAKER[kind]
    updatable = _updatable(noun)
    expected = {i for i in _inputs(args) if _snake(ALIASES.get(i, i)) not in updatable}
    assert set(REPLACE_ON[kind]) == expected


def test_endpoint_config_and_model_have_no_update_api() -> None:
    model = botocore.session.get_session().get_service_model("sagemaker")
    assert "UpdateEndpoint" in model.operation_names
    assert not {"UpdateEndpointConfig", "UpdateModel"} & set(model.operation_names)
