"""The emergency half of a rollback: all of an endpoint's traffic to `stable`, right now.

UpdateEndpointWeightsAndCapacities changes the weights of the variants already
deployed, without a new endpoint configuration, so it takes effect in seconds
where a blue/green update takes minutes. The commit that follows makes the
spec say what the endpoint now does.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import (  # type: ignore[import-untyped]
    BotoCoreError,
    ClientError,
    NoCredentialsError,
)

from controlplane.contract import VARIANT_STABLE
from controlplane.rollout.errors import EndpointError

Clock = Callable[[], float]


@dataclass(frozen=True)
class Shift:
    endpoint: str
    seconds: float  # from the request to the endpoint reporting the new weights
    weights_before: dict[str, float]


def sagemaker_client(region: str) -> Any:
    """A SageMaker client; refused before any call when no credentials are found."""
    session = boto3.session.Session(region_name=region)
    if session.get_credentials() is None:
        raise EndpointError(
            "no AWS credentials found (AWS_PROFILE, AWS_ACCESS_KEY_ID or a role):"
            " --emergency moves traffic itself; without it, rollback only writes the commit"
        )
    return session.client("sagemaker")


def shift_to_stable(
    client: Any,
    endpoint: str,
    *,
    timeout: float = 300.0,
    poll: float = 5.0,
    clock: Clock = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Shift:
    """Weight 1 on `stable`, 0 on every other production variant; wait until the endpoint says so."""
    variants = _variants(client, endpoint)
    names = [v["VariantName"] for v in variants]
    if VARIANT_STABLE not in names:
        raise EndpointError(
            f"endpoint {endpoint} has no {VARIANT_STABLE} variant (its variants: {', '.join(names)});"
            " in full the candidate serves alone: roll back without --emergency and apply"
        )
    desired = {name: 1.0 if name == VARIANT_STABLE else 0.0 for name in names}
    started = clock()
    _call(
        client.update_endpoint_weights_and_capacities,
        endpoint,
        EndpointName=endpoint,
        DesiredWeightsAndCapacities=[
            {"VariantName": v["VariantName"], "DesiredWeight": desired[v["VariantName"]]}
            | _instances(v)
            for v in variants
        ],
    )
    while True:
        reported = _variants(client, endpoint, status=True)
        if reported == desired:
            break
        if clock() - started > timeout:
            raise EndpointError(
                f"endpoint {endpoint} did not report all traffic on {VARIANT_STABLE} within"
                f" {timeout:g}s (it reports {reported}): check it in the SageMaker console"
            )
        sleep(poll)
    before = {v["VariantName"]: float(v.get("CurrentWeight", 0.0)) for v in variants}
    return Shift(endpoint, clock() - started, before)


def _instances(variant: dict[str, Any]) -> dict[str, Any]:
    """Keep each variant's instance count: only the weights move."""
    count = variant.get("CurrentInstanceCount")
    return {"DesiredInstanceCount": count} if count else {}


def _variants(client: Any, endpoint: str, *, status: bool = False) -> Any:
    described = _call(client.describe_endpoint, endpoint, EndpointName=endpoint)
    variants = described.get("ProductionVariants", [])
    if not status:
        return variants
    if described.get("EndpointStatus") != "InService":
        return {"status": described.get("EndpointStatus")}
    return {v["VariantName"]: float(v.get("CurrentWeight", 0.0)) for v in variants}


def _call(method: Callable[..., Any], endpoint: str, **arguments: Any) -> Any:
    try:
        return method(**arguments)
    except NoCredentialsError:
        raise EndpointError("no AWS credentials found: --emergency needs them") from None
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        text = error.response.get("Error", {}).get("Message", str(error))
        if "Could not find endpoint" in text:
            raise EndpointError(
                f"no SageMaker endpoint named {endpoint} in this account and region"
            ) from None
        raise EndpointError(
            f"SageMaker refused the traffic shift on {endpoint}: {code} {text}"
        ) from None
    except BotoCoreError as error:
        raise EndpointError(f"cannot reach SageMaker for {endpoint}: {error}") from None
