"""The local PagerDuty API answers the real `pagerduty` client as PagerDuty documents:
token auth, wrapped entities, offset pagination, 429 with Retry-After."""

from __future__ import annotations

import os

import httpx2
import pagerduty
import pytest

from tests.oncall.conftest import TOKEN
from tests.oncall.pagerduty_server import Fault, PagerDuty


def raw_client(account: PagerDuty, token: str = TOKEN) -> pagerduty.RestApiV2Client:
    # The client as its documentation shows it, trusting the test CA (SSL_CERT_FILE).
    assert os.environ["SSL_CERT_FILE"]
    return pagerduty.RestApiV2Client(token, base_url=account.base)


def test_a_wrong_token_is_refused(pagerduty_api: PagerDuty) -> None:
    with pytest.raises(pagerduty.HttpError) as refused:
        raw_client(pagerduty_api, "wrong").rget("/services")
    assert refused.value.response is not None
    assert refused.value.response.status_code == 401


def test_offset_pagination_yields_every_service_once(pagerduty_api: PagerDuty) -> None:
    pagerduty_api.page_limit = 2
    policy = next(iter(pagerduty_api.policies))
    made = [pagerduty_api.add_service(f"svc-{n}", policy) for n in range(5)]

    listed = raw_client(pagerduty_api).list_all("/services")

    assert [s["id"] for s in listed] == made
    assert [r.query["offset"] for r in pagerduty_api.requests] == [["0"], ["2"], ["4"]]


def test_create_and_read_back_wrapped_entities(pagerduty_api: PagerDuty) -> None:
    client = raw_client(pagerduty_api)
    policy = next(iter(pagerduty_api.policies))
    reference = {"id": policy, "type": "escalation_policy_reference"}
    created = client.rpost("/services", json={"name": "svc", "escalation_policy": reference})
    assert isinstance(created, dict)

    fetched = client.rget(f"/services/{created['id']}")

    assert isinstance(fetched, dict) and fetched["name"] == "svc"
    assert client.rget("/escalation_policies", params={"query": "risk"})[0]["name"] == "Risk ML"


def test_a_fault_answers_429_with_retry_after(pagerduty_api: PagerDuty) -> None:
    pagerduty_api.faults.append(Fault("GET /services", 429, retry_after="3"))
    with httpx2.Client(verify=True) as http:
        answer = http.get(
            f"{pagerduty_api.base}/services", headers={"Authorization": f"Token token={TOKEN}"}
        )
    assert (answer.status_code, answer.headers["Retry-After"]) == (429, "3")
