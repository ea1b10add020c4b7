from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pagerduty
import pytest
import trustme

from controlplane.pipeline.notify import NotifyError, trigger_validation_failure
from tests.pipeline.events_api import EventsApi, serve_events_api

ROUTING_KEY = "R0UT1NGKEY0123456789abcdefABCDEF"  # 32 characters, as the API requires
DETAILS = {"failed": ["amount: PSI 0.41 >= critical 0.25"], "rows": 120_000}


@pytest.fixture
def ca(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> trustme.CA:
    """A test CA that the client trusts through SSL_CERT_FILE, as a private CA would be."""
    authority = trustme.CA()
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    monkeypatch.setattr(pagerduty.EventsApiV2Client, "sleep_timer", 0.01)  # retries, quickly
    return authority


@pytest.fixture
def events_api(ca: trustme.CA) -> Iterator[EventsApi]:
    with serve_events_api(ca) as api:
        yield api


def page(api: EventsApi, run_id: str = "run-42", **overrides: object) -> str:
    kwargs: dict[str, object] = {"routing_key": ROUTING_KEY, "base_url": api.url, **overrides}
    return trigger_validation_failure(
        "fraud-detector",
        run_id,
        "amount drifted (PSI 0.41)",
        DETAILS,
        **kwargs,  # type: ignore[arg-type]
    )


def test_a_validation_failure_triggers_one_alert_per_model_and_run(events_api: EventsApi) -> None:
    first = page(events_api)
    again = page(events_api)
    other_run = page(events_api, run_id="run-43")
    assert first == again != other_run
    assert "fraud-detector" in first and "run-42" in first
    assert events_api.paths == ["/v2/enqueue"] * 3
    event = events_api.received[0]
    assert event["routing_key"] == ROUTING_KEY
    assert event["event_action"] == "trigger"
    assert event["dedup_key"] == first
    payload = event["payload"]
    assert payload["severity"] == "error"
    assert (
        payload["summary"]
        == "fraud-detector: retraining data failed validation: amount drifted (PSI 0.41)"
    )
    assert payload["custom_details"] == {"model": "fraud-detector", "run_id": "run-42", **DETAILS}


def test_an_invalid_event_is_one_clear_line_without_the_routing_key(events_api: EventsApi) -> None:
    with pytest.raises(NotifyError) as caught:
        page(events_api, routing_key="too-short-key")
    message = str(caught.value)
    assert message == (
        f"the PagerDuty Events API at {events_api.url} refused the alert for fraud-detector "
        "(HTTP 400): Event object is invalid; 'routing_key' is invalid: must be 32 characters"
    )
    assert "too-short-key" not in message


@pytest.mark.parametrize(("status", "attempts"), [(403, 1), (500, 3), (503, 7), (429, 4)])
def test_refusals_and_outages_are_retried_as_documented_then_reported(
    events_api: EventsApi, status: int, attempts: int
) -> None:
    events_api.forced = [status] * 10
    with pytest.raises(
        NotifyError,
        match=rf"refused the alert for fraud-detector \(HTTP {status}\): forced {status}$",
    ) as caught:
        page(events_api)
    assert len(events_api.paths) == attempts
    assert ROUTING_KEY not in str(caught.value) and "\n" not in str(caught.value)


def test_a_transient_outage_then_success_delivers(events_api: EventsApi) -> None:
    events_api.forced = [502, 502]
    assert page(events_api) == "mlcp/fraud-detector/retraining/run-42/validation"
    assert len(events_api.paths) == 3


def test_only_https_is_accepted(events_api: EventsApi) -> None:
    plain = events_api.url.replace("https://", "http://")
    with pytest.raises(
        NotifyError, match=r"^the PagerDuty Events API URL must use https:// \(got http://127"
    ):
        page(events_api, base_url=plain)
    assert events_api.paths == []


def test_a_server_with_an_untrusted_certificate_is_not_talked_to(
    events_api: EventsApi, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    stranger = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(stranger))
    monkeypatch.setenv("SSL_CERT_FILE", str(stranger))
    with pytest.raises(
        NotifyError,
        match=r"^could not reach the PagerDuty Events API at https://127\.0\.0\.1:\d+ to page for fraud-detector: ConnectError: .*CERTIFICATE_VERIFY_FAILED",
    ) as caught:
        page(events_api)
    assert ROUTING_KEY not in str(caught.value)
    assert events_api.received == []


def test_details_from_numpy_and_paths_are_sent_as_plain_json(events_api: EventsApi) -> None:
    details = {"rows": np.int64(120_000), "psi": np.float64(0.41), "source": Path("data/x.parquet")}
    trigger_validation_failure(
        "fraud-detector",
        "run-1",
        "drift",
        details,
        routing_key=ROUTING_KEY,
        base_url=events_api.url,
    )
    sent = events_api.received[0]["payload"]["custom_details"]
    assert sent == {
        "model": "fraud-detector",
        "run_id": "run-1",
        "rows": 120_000,
        "psi": 0.41,
        "source": "data/x.parquet",
    }
