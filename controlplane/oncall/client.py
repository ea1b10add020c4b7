"""The PagerDuty REST API v2 client mlcp uses: the `pagerduty` package's
`RestApiV2Client`, with bounded retries and a token that never leaves it.

Retries. The client's own policy retries 429 without limit, on a fixed
exponential timer that ignores `Retry-After`, and does not retry 5xx. mlcp
retries in the HTTP transport under the client instead: 429 and 5xx are tried
`ATTEMPTS` times in all, waiting what `Retry-After` asks (at most
`MAX_WAIT`), else an exponential backoff from `BACKOFF`; then `GaveUp` is
raised, so the client never sees a 429 and never loops.

The token. It is read from `PAGERDUTY_TOKEN` and sent only in the
`Authorization` header. The client's own messages carry its last four
characters (on a 401); mlcp turns every failure into its own message
(`failure_text`), which names the method, the path and PagerDuty's error, and
scrubs the token from anything PagerDuty echoes.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any

import httpx2
import pagerduty

from controlplane.errors import MlcpError

TOKEN_VARIABLE = "PAGERDUTY_TOKEN"
URL_VARIABLE = "PAGERDUTY_API_URL"
DEFAULT_URL = "https://api.pagerduty.com"
RETRIED = frozenset({429, 500, 502, 503, 504})
ATTEMPTS = 5
BACKOFF = 0.5  # seconds before the second attempt; doubles after each
MAX_WAIT = 60.0  # seconds: a longer Retry-After is cut to this
TIMEOUT = 30  # seconds per request


class PagerDutyError(MlcpError):
    """PagerDuty could not be reached or refused mlcp as a whole (exit 2)."""


class GaveUp(Exception):
    """A request still answered 429 or 5xx after `ATTEMPTS` tries."""

    def __init__(self, method: str, path: str, status: int) -> None:
        super().__init__(f"{method} {path}: HTTP {status} after {ATTEMPTS} attempts")


def retry_after(response: httpx2.Response) -> float | None:
    """The wait a `Retry-After` header asks for (seconds or an HTTP date), if any."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class RetryTransport(httpx2.BaseTransport):
    """Retries 429 and 5xx a bounded number of times, honouring `Retry-After`."""

    def __init__(
        self, inner: httpx2.BaseTransport, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.inner, self.sleep = inner, sleep

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        for attempt in range(ATTEMPTS):
            response = self.inner.handle_request(request)
            if response.status_code not in RETRIED:
                return response
            response.read()
            response.close()
            if attempt + 1 == ATTEMPTS:
                break
            asked = retry_after(response)
            self.sleep(min(MAX_WAIT, BACKOFF * 2**attempt if asked is None else asked))
        raise GaveUp(request.method, request.url.path, response.status_code)

    def close(self) -> None:
        self.inner.close()


def token_from_environment() -> str:
    token = os.environ.get(TOKEN_VARIABLE, "").strip()
    if not token:
        raise PagerDutyError(
            f"{TOKEN_VARIABLE} is not set: export a PagerDuty REST API key "
            "(in CI, from the repository's secrets)"
        )
    return token


def url_from_environment() -> str:
    url = os.environ.get(URL_VARIABLE, "").strip() or DEFAULT_URL
    if not url.startswith("https://"):
        raise PagerDutyError(f"{URL_VARIABLE} must be an https:// URL (got {url!r})")
    return url.rstrip("/")


def connect(token: str, url: str) -> pagerduty.RestApiV2Client:
    """A client on `url` (TLS verified against the system CAs, or `SSL_CERT_FILE`)."""
    transport = RetryTransport(httpx2.HTTPTransport(verify=True, trust_env=True))
    client = pagerduty.RestApiV2Client(token, base_url=url, transport=transport)
    client.timeout = TIMEOUT
    # Connection failures: the client's own retries, two attempts from a short wait.
    client.max_network_attempts, client.sleep_timer = 2, BACKOFF
    return client


def failure_text(error: BaseException, token: str) -> str:
    """One line about a failed request, with no secret in it."""
    if isinstance(error, pagerduty.HttpError) and error.response is not None:
        text = _http_failure(error.response)
    elif isinstance(error, GaveUp | PagerDutyError):
        text = str(error)
    elif isinstance(error, pagerduty.Error):
        text = "PagerDuty could not be reached (network error)"
    else:
        text = f"{type(error).__name__}: {error}"
    return text.replace(token, "***") if token else text


def _http_failure(response: httpx2.Response) -> str:
    request = response.request
    where = f"{request.method} {request.url.path}: HTTP {response.status_code}"
    if response.status_code == 401:
        return f"{where}: PagerDuty refused the token in {TOKEN_VARIABLE}"
    return f"{where}: {_error_message(response)}".rstrip(": ")


def _error_message(response: httpx2.Response) -> str:
    """PagerDuty's `{"error": {"message": ..., "errors": [...]}}`, as one line."""
    try:
        body: Any = response.json()
    except ValueError:
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return ""
    details = [str(e) for e in error.get("errors", []) if isinstance(e, str)]
    return "; ".join([str(error.get("message", "")), *details]).strip("; ")
