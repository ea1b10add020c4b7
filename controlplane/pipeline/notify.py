"""Paging a person when a retraining run's data fails validation (PagerDuty Events API v2).

One alert per model and run: the dedup key names both, so a retried stage
updates the same alert instead of opening another. The routing key is a
secret: no error raised here ever contains it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import pagerduty

from controlplane.errors import MlcpError

# PagerDuty's own retries of 5xx answers (two to six, with growing pauses) stay;
# a 429 answer is retried this many times instead of without end.
RATE_LIMIT_RETRIES = 3
SUMMARY_LIMIT = 1024  # the Events API refuses a longer payload.summary


class NotifyError(MlcpError):
    """The alert could not be delivered (one clear line, exit 2)."""


def dedup_key(model: str, run_id: str) -> str:
    return f"mlcp/{model}/retraining/{run_id}/validation"


def trigger_validation_failure(
    model: str,
    run_id: str,
    summary: str,
    details: Mapping[str, object],
    *,
    routing_key: str,
    base_url: str | None = None,
) -> str:
    """Trigger (or update) the alert for this run; returns its dedup key."""
    if base_url is not None and not base_url.startswith("https://"):
        raise NotifyError(f"the PagerDuty Events API URL must use https:// (got {base_url})")
    client = pagerduty.EventsApiV2Client(routing_key, base_url=base_url)
    client.retry[429] = RATE_LIMIT_RETRIES
    where = client.url
    try:
        return str(
            client.trigger(
                summary=f"{model}: retraining data failed validation: {summary}"[:SUMMARY_LIMIT],
                source=f"mlcp retraining pipeline of {model}",
                dedup_key=dedup_key(model, run_id),
                severity="error",
                custom_details=_json_safe({"model": model, "run_id": run_id, **details}),
            )
        )
    except pagerduty.HttpError as error:
        raise NotifyError(_refused(model, where, error.response)) from None
    except pagerduty.Error as error:
        cause = error.__cause__ or error
        raise NotifyError(
            f"could not reach the PagerDuty Events API at {where} to page for {model}: "
            f"{type(cause).__name__}: {_first_line(str(cause))}"
        ) from None
    finally:
        client.close()


def _json_safe(details: Mapping[str, object]) -> dict[str, object]:
    """The details as plain JSON: numpy numbers as numbers, anything else unknown as text."""

    def plain(value: object) -> object:
        item = getattr(value, "item", None)  # numpy scalars
        return item() if callable(item) else str(value)

    safe: dict[str, object] = json.loads(json.dumps(dict(details), default=plain))
    return safe


def _refused(model: str, where: str, response: object) -> str:
    status = getattr(response, "status_code", "?")
    try:
        body = response.json()  # type: ignore[attr-defined]
    except Exception:  # not JSON: a proxy's error page, say
        body = {}
    said = body.get("message", "") if isinstance(body, dict) else ""
    errors = body.get("errors", []) if isinstance(body, dict) else []
    detail = "; ".join(str(e) for e in [said, *errors] if e) or "no explanation given"
    return f"the PagerDuty Events API at {where} refused the alert for {model} (HTTP {status}): {detail}"


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "no detail"
