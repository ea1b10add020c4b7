"""The retry policy under the pagerduty client: how long it waits, and when it stops."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx2
import pytest

from controlplane.oncall.client import ATTEMPTS, MAX_WAIT, GaveUp, RetryTransport, retry_after


def transport(statuses: list[int], headers: dict[str, str]) -> tuple[RetryTransport, list[float]]:
    answers = iter(statuses)
    slept: list[float] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(next(answers), headers=headers)

    return RetryTransport(httpx2.MockTransport(handler), sleep=slept.append), slept


def send(retrying: RetryTransport) -> httpx2.Response:
    return retrying.handle_request(httpx2.Request("GET", "https://pd.test/services"))


def test_waits_what_retry_after_asks() -> None:
    retrying, slept = transport([429, 429, 200], {"Retry-After": "7"})
    assert send(retrying).status_code == 200
    assert slept == [7.0, 7.0]


def test_a_long_retry_after_is_cut_to_the_ceiling() -> None:
    retrying, slept = transport([429, 200], {"Retry-After": "3600"})
    assert send(retrying).status_code == 200
    assert slept == [MAX_WAIT]


def test_5xx_without_retry_after_backs_off_exponentially() -> None:
    retrying, slept = transport([503, 502, 500, 200], {})
    assert send(retrying).status_code == 200
    assert slept == [0.5, 1.0, 2.0]


def test_gives_up_after_a_bounded_number_of_attempts() -> None:
    retrying, slept = transport([429] * 10, {"Retry-After": "0"})
    with pytest.raises(GaveUp, match="GET /services: HTTP 429 after 5 attempts"):
        send(retrying)
    assert len(slept) == ATTEMPTS - 1


def test_other_errors_are_not_retried() -> None:
    retrying, slept = transport([404], {})
    assert send(retrying).status_code == 404
    assert slept == []


def test_retry_after_as_an_http_date() -> None:
    later = datetime.now(UTC) + timedelta(seconds=30)
    response = httpx2.Response(429, headers={"Retry-After": format_datetime(later, usegmt=True)})
    wait = retry_after(response)
    assert wait is not None and 25 <= wait <= 30
    assert retry_after(httpx2.Response(429, headers={"Retry-After": "soon"})) is None
