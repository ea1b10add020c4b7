"""A local HTTPS server that follows PagerDuty's Events API v2, for the real client to talk to.

It answers ``POST /v2/enqueue`` as the documented API does: 202 with the
dedup key for a valid event, 400 "invalid event" with the list of what is
wrong otherwise; ``forced`` answers (a status per request, in order) stand in
for rate limits and outages.
"""

from __future__ import annotations

import json
import ssl
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import trustme

SEVERITIES = {"critical", "error", "warning", "info"}
ACTIONS = {"trigger", "acknowledge", "resolve"}


@dataclass
class EventsApi:
    url: str
    received: list[dict[str, Any]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    forced: list[int] = field(default_factory=list)


def problems(event: dict[str, Any]) -> list[str]:
    """What the Events API v2 would refuse in an event, in its own words."""
    found = []
    key = event.get("routing_key")
    if not isinstance(key, str) or len(key) != 32:
        found.append("'routing_key' is invalid: must be 32 characters")
    if event.get("event_action") not in ACTIONS:
        found.append("'event_action' is invalid (must be one of trigger, acknowledge, resolve)")
    dedup = event.get("dedup_key")
    if dedup is not None and (not isinstance(dedup, str) or len(dedup) > 255):
        found.append("'dedup_key' is invalid: must be a string of at most 255 characters")
    if event.get("event_action") == "trigger":
        payload = event.get("payload") or {}
        for name in ("summary", "source"):
            if not isinstance(payload.get(name), str) or not payload[name].strip():
                found.append(f"'payload.{name}' is missing or blank")
        if len(str(payload.get("summary", ""))) > 1024:
            found.append("'payload.summary' is longer than 1024 characters")
        if payload.get("severity") not in SEVERITIES:
            found.append(
                "'payload.severity' is invalid (must be one of critical, error, warning, info)"
            )
        if "custom_details" in payload and not isinstance(payload["custom_details"], dict):
            found.append("'payload.custom_details' must be an object")
    return found


def handler_for(api: EventsApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # quiet test output
            pass

        def do_POST(self) -> None:
            api.paths.append(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if api.forced:
                status = api.forced.pop(0)
                self.answer(status, {"status": "error", "message": f"forced {status}"})
                return
            if self.path != "/v2/enqueue":
                self.answer(404, {"status": "error", "message": "Not Found"})
                return
            try:
                event = json.loads(body)
            except ValueError:
                self.answer(
                    400,
                    {
                        "status": "invalid event",
                        "message": "Event object is invalid",
                        "errors": ["invalid JSON"],
                    },
                )
                return
            api.received.append(event)
            wrong = problems(event)
            if wrong:
                self.answer(
                    400,
                    {
                        "status": "invalid event",
                        "message": "Event object is invalid",
                        "errors": wrong,
                    },
                )
                return
            dedup = event.get("dedup_key") or uuid.uuid4().hex
            self.answer(
                202, {"status": "success", "message": "Event processed", "dedup_key": dedup}
            )

        def answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@contextmanager
def serve_events_api(ca: trustme.CA) -> Iterator[EventsApi]:
    """The server on a free loopback port, its certificate issued by `ca`."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    api = EventsApi(url=f"https://127.0.0.1:{server.server_address[1]}")
    server.RequestHandlerClass = handler_for(api)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
