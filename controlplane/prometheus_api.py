"""The few calls of Prometheus's HTTP API mlcp makes (`mlcp postmortem`, `mlcp promote
--prometheus`), with failures as one line.

Only `/api/v1/query` and `/api/v1/query_range`, read with the standard library:
a person runs these commands against whatever Prometheus they can reach, and
an unreachable or unexpected server is a line to read, not a traceback.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from controlplane.errors import MlcpError

TIMEOUT = 10.0  # seconds per request: a person waits for the answer


class PrometheusError(MlcpError):
    """Prometheus could not be reached, or did not answer as its API documents: exit 2."""


@dataclass(frozen=True)
class Series:
    labels: dict[str, str]
    points: tuple[tuple[float, float], ...]  # (unix time, value), in time order


@dataclass(frozen=True)
class Prometheus:
    url: str  # the server's base URL, e.g. http://127.0.0.1:9090

    def query(self, expr: str, at: float) -> list[Series]:
        """An instant query at a time."""
        data = self._get("/api/v1/query", {"query": expr, "time": f"{at:.3f}"})
        return [
            Series(r["metric"], ((float(r["value"][0]), _number(r["value"][1])),)) for r in data
        ]

    def query_range(self, expr: str, start: float, end: float, step: float) -> list[Series]:
        params = {"query": expr, "start": f"{start:.3f}", "end": f"{end:.3f}", "step": f"{step:g}"}
        data = self._get("/api/v1/query_range", params)
        return [
            Series(r["metric"], tuple((float(t), _number(v)) for t, v in r["values"])) for r in data
        ]

    def _get(self, path: str, params: dict[str, str]) -> list[dict[str, Any]]:
        if not self.url.startswith(("http://", "https://")):
            raise PrometheusError(
                f"--prometheus must be an http:// or https:// URL, got {self.url!r}"
            )
        address = f"{self.url.rstrip('/')}{path}?{urllib.parse.urlencode(params)}"
        try:
            with urllib.request.urlopen(address, timeout=TIMEOUT) as response:
                answer = json.load(response)
        except urllib.error.HTTPError as error:
            answer = _error_body(error)
            if answer is None:
                raise PrometheusError(
                    f"Prometheus at {self.url} answered HTTP {error.code} to {path}: is it Prometheus?"
                ) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise PrometheusError(f"cannot reach Prometheus at {self.url}: {reason}") from None
        except ValueError:
            raise PrometheusError(
                f"{self.url}{path} did not answer JSON: is it Prometheus?"
            ) from None
        if not isinstance(answer, dict) or answer.get("status") != "success":
            detail = answer.get("error", answer) if isinstance(answer, dict) else answer
            raise PrometheusError(f"Prometheus at {self.url} refused {params['query']!r}: {detail}")
        result: list[dict[str, Any]] = answer["data"]["result"]
        return result


def _error_body(error: urllib.error.HTTPError) -> Any:
    """Prometheus explains a refused query in a JSON body; anything else is not Prometheus."""
    try:
        return json.load(error)
    except ValueError:
        return None


def _number(text: str) -> float:
    return float(text)  # Prometheus writes NaN and ±Inf as strings float() reads
