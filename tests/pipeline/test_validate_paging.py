"""validate pages on-call through PagerDuty's Events API v2 when data fails and a routing
key is set: the real `pagerduty` client, against a local TLS server with a test CA."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pagerduty
import pytest
import trustme

from controlplane.pipeline.context import Stage, StageFailed
from controlplane.pipeline.oncall import EVENTS_URL_ENV, ROUTING_KEY_ENV
from controlplane.pipeline.stages import validate
from examples.synthetic import fraud
from tests.pipeline.events_api import EventsApi, serve_events_api
from tests.pipeline.project import MODEL, ROWS, pipeline_folder, replace_source

ROUTING_KEY = "R0UT1NGK3Y0000000000000000000042"  # 32 characters, as PagerDuty issues them


@pytest.fixture
def events_api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[EventsApi]:
    authority = trustme.CA()
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    monkeypatch.setattr(pagerduty.EventsApiV2Client, "sleep_timer", 0.01)
    with serve_events_api(authority) as api:
        yield api


def _validate_shifted(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> StageFailed:
    frame = fraud(ROWS, drift=0.0, seed=7)
    replace_source(workspace, frame.assign(amount=frame["amount"] * 3))
    monkeypatch.chdir(pipeline_folder(workspace))  # where DVC runs the stage
    with pytest.raises(StageFailed) as failure:
        validate.run(Stage(MODEL, Path("../../../specs")))
    return failure.value


def test_failed_validation_pages_once_per_model_and_data(
    workspace: Path, events_api: EventsApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ROUTING_KEY_ENV, ROUTING_KEY)
    monkeypatch.setenv(EVENTS_URL_ENV, events_api.url)
    first = _validate_shifted(workspace, monkeypatch)
    again = _validate_shifted(workspace, monkeypatch)
    assert "\npaged on-call (dedup key mlcp/fraud-detector/retraining/" in str(first)
    assert str(first) == str(again)
    assert [e["dedup_key"] for e in events_api.received] == [
        events_api.received[0]["dedup_key"]
    ] * 2
    payload = events_api.received[0]["payload"]
    assert payload["summary"].startswith("fraud-detector: retraining data failed validation:")
    failures = payload["custom_details"]["failures"]
    assert [(f["check"], f["feature"]) for f in failures] == [("distribution", "amount")]


def test_without_a_routing_key_nothing_is_sent(
    workspace: Path, events_api: EventsApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ROUTING_KEY_ENV, raising=False)
    failure = _validate_shifted(workspace, monkeypatch)
    assert "on-call" not in str(failure)
    assert events_api.received == []


def test_an_alert_that_cannot_be_sent_does_not_hide_the_data_problem(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ROUTING_KEY_ENV, ROUTING_KEY)
    monkeypatch.setenv(EVENTS_URL_ENV, "http://127.0.0.1:9")  # the client takes https only
    failure = _validate_shifted(workspace, monkeypatch)
    assert "distribution: feature 'amount': psi" in str(failure)
    assert "\ncould not page on-call: " in str(failure)
