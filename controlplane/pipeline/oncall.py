"""Paging on-call when the pipeline's data fails validation.

Set `MLCP_PAGERDUTY_ROUTING_KEY` (an Events API v2 integration key) to turn it
on; `MLCP_PAGERDUTY_EVENTS_URL` points the client at another https endpoint
(PagerDuty's EU service region, or a test server).
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from controlplane import pipeline_layout as layout
from controlplane.errors import MlcpError
from controlplane.pipeline.context import Stage

ROUTING_KEY_ENV = "MLCP_PAGERDUTY_ROUTING_KEY"
EVENTS_URL_ENV = "MLCP_PAGERDUTY_EVENTS_URL"


def run_id(stage: Stage) -> str:
    """The run, named by the data it validated: the same data is the same incident."""
    digest = hashlib.sha256(stage.require(layout.SOURCE).read_bytes()).hexdigest()
    return digest[:12]


def alert_on_call(stage: Stage, report: dict[str, Any], text: str) -> str | None:
    """Trigger a PagerDuty alert for a failed validation; a line saying so, None when off.

    An alert that cannot be sent is said in that line: the stage fails on the data
    either way.
    """
    routing_key = os.environ.get(ROUTING_KEY_ENV)
    if not routing_key:
        return None
    from controlplane.pipeline.notify import trigger_validation_failure

    head = text.splitlines()[0]
    try:
        key = trigger_validation_failure(
            report["model"],
            run_id(stage),
            head,
            {"failures": report["failures"], "rows": report["rows"]},
            routing_key=routing_key,
            base_url=os.environ.get(EVENTS_URL_ENV),
        )
    except MlcpError as error:
        return f"could not page on-call: {error}"
    return f"paged on-call (dedup key {key})"
