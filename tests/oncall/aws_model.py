"""Requests to AWS checked against the service's own model (botocore's JSON), offline:
what Secrets Manager would reject for a missing, misspelt or mistyped parameter."""

from __future__ import annotations

from typing import Any

import botocore.session
from botocore.validate import ParamValidationError, validate_parameters


def validate_request(service: str, operation: str, params: dict[str, Any]) -> None:
    """Raise ParamValidationError unless `params` fit `operation` (snake_case, as boto3
    spells it) of `service`'s model."""
    model = botocore.session.get_session().get_service_model(service)
    names = {_snake(name): name for name in model.operation_names}
    shape = model.operation_model(names[operation]).input_shape
    validate_parameters(params, shape)


def record_requests(session: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """Every request the clients made from this boto3 session afterwards send, as
    (service, operation, params), appended as sent."""
    sent: list[tuple[str, str, dict[str, Any]]] = []

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        service = model.service_model.service_name
        sent.append((service, _snake(model.name), dict(params)))

    session.events.register("provide-client-params.*.*", record)
    return sent


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


__all__ = ["ParamValidationError", "record_requests", "validate_request"]
