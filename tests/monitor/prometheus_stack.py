"""A real Prometheus and Alertmanager on loopback ports, for the end-to-end test.

Processes are started with bounded waits and always stopped by the fixture that
started them. A small HTTP receiver stands in for PagerDuty's Events v2 API and
records every payload Alertmanager posts to it.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import Any, TypeVar

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for(what: str, check: Callable[[], T | None], timeout: float = 30.0) -> T:
    """Poll ``check`` until it returns something other than None, or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            found = check()
            if found is not None:
                return found
        except (OSError, ValueError, KeyError) as error:
            last = error
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout:g}s waiting for {what} (last error: {last})")


def http_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


class Receiver:
    """Captures PagerDuty Events v2 payloads posted to /v2/enqueue, and Slack
    webhook payloads posted to /slack."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.slack: list[dict[str, Any]] = []
        events, slack = self.events, self.slack

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path == "/v2/enqueue":
                    events.append(json.loads(body))
                elif self.path == "/slack":
                    slack.append(json.loads(body))
                self.send_response(202)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"status": "success", "message": "Event processed"}')

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.url = f"{base}/v2/enqueue"
        self.slack_url = f"{base}/slack"
        Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def process(args: list[str], log: Path, ready_url: str) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        child = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(f"{args[0]} to be ready (see {log})", lambda: _ready(ready_url, child), 30)
        yield child
    finally:
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(timeout=10)


def _ready(url: str, child: subprocess.Popen[bytes]) -> bool | None:
    if child.poll() is not None:
        raise AssertionError(f"exited early with code {child.returncode}")
    with urllib.request.urlopen(url, timeout=2) as response:
        return True if response.status == 200 else None


class PrometheusApi:
    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"

    def query(self, expr: str) -> list[dict[str, Any]]:
        url = f"{self.base}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
        answer = http_json(url)
        if answer["status"] != "success":
            raise ValueError(answer)
        result: list[dict[str, Any]] = answer["data"]["result"]
        return result

    def by_feature(self, expr: str) -> dict[str, float]:
        return {r["metric"]["feature"]: float(r["value"][1]) for r in self.query(expr)}
