"""A local HTTPS server that answers as PagerDuty's REST API v2 does, for the
endpoints `mlcp oncall` uses (https://developer.pagerduty.com/api-reference/):

- `GET /services` (offset pagination: `limit`, `offset`, `more`; `include[]=integrations`),
  `POST /services`, `GET/PUT/DELETE /services/{id}`;
- `POST /services/{id}/integrations`, `GET /services/{id}/integrations/{integration_id}`;
- `GET /escalation_policies` (`query` matches part of a name, ignoring case),
  `GET /escalation_policies/{id}`.

Requests need `Authorization: Token token=<token>` (else 401). Bodies are
wrapped entities (`{"service": {...}}`); errors are `{"error": {"message",
"code", "errors"}}`. A page holds at most `page_limit` items (PagerDuty: 100).
`faults` make chosen requests answer 429 with `Retry-After`, or 5xx. The TLS
certificate is issued by a `trustme` CA made for the test.
"""

from __future__ import annotations

import json
import re
import secrets
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import trustme

INTEGRATION = "events_api_v2_inbound_integration"


@dataclass
class Fault:
    """Answer `status` to requests whose "METHOD /path" matches `pattern`, `times` times
    (None: always), once `after` requests have been served."""

    pattern: str
    status: int
    times: int | None = 1
    retry_after: str | None = None
    after: int = 0


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    at: float
    status: int


@dataclass
class PagerDuty:
    """The account's state, which tests read and change as a person in the UI would."""

    token: str
    base: str = ""
    page_limit: int = 100
    services: dict[str, dict[str, Any]] = field(default_factory=dict)
    integrations: dict[str, dict[str, Any]] = field(default_factory=dict)
    policies: dict[str, dict[str, Any]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    counter: int = 0

    def new_id(self) -> str:
        self.counter += 1
        return f"P{self.counter:06d}"

    def add_policy(self, name: str) -> str:
        policy_id = self.new_id()
        self.policies[policy_id] = {
            "id": policy_id,
            "type": "escalation_policy",
            "name": name,
            "summary": name,
            "self": f"{self.base}/escalation_policies/{policy_id}",
        }
        return policy_id

    def add_service(self, name: str, policy_id: str, **fields: Any) -> str:
        """A service made by hand in the UI (no integration unless one is added)."""
        service_id = self.new_id()
        self.services[service_id] = self._service(service_id, {"name": name, **fields}, policy_id)
        return service_id

    def _service(self, service_id: str, body: dict[str, Any], policy_id: str) -> dict[str, Any]:
        return {
            "id": service_id,
            "type": "service",
            "summary": body["name"],
            "self": f"{self.base}/services/{service_id}",
            "html_url": f"https://example.pagerduty.com/service-directory/{service_id}",
            "name": body["name"],
            "description": body.get("description"),
            "auto_resolve_timeout": body.get("auto_resolve_timeout", 14400),
            "acknowledgement_timeout": body.get("acknowledgement_timeout", 1800),
            "status": "active",
            "alert_creation": body.get("alert_creation", "create_alerts_and_incidents"),
            "incident_urgency_rule": body.get(
                "incident_urgency_rule", {"type": "constant", "urgency": "high"}
            ),
            "escalation_policy": self._policy_reference(policy_id),
            "integrations": [],
            "teams": [],
        }

    def _policy_reference(self, policy_id: str) -> dict[str, Any]:
        return {
            "id": policy_id,
            "type": "escalation_policy_reference",
            "summary": self.policies[policy_id]["name"],
            "self": f"{self.base}/escalation_policies/{policy_id}",
        }

    def add_integration(self, service_id: str, name: str, kind: str = INTEGRATION) -> str:
        integration_id = self.new_id()
        self.integrations[integration_id] = {
            "id": integration_id,
            "type": kind,
            "name": name,
            "summary": name,
            "self": f"{self.base}/services/{service_id}/integrations/{integration_id}",
            "integration_key": secrets.token_hex(16),
            "service": {"id": service_id, "type": "service_reference"},
        }
        self.services[service_id]["integrations"].append(integration_id)
        return integration_id

    def by_name(self, name: str) -> dict[str, Any]:
        (service,) = [s for s in self.services.values() if s["name"] == name]
        return service

    def key_of(self, service_name: str) -> str:
        (key,) = [
            self.integrations[i]["integration_key"]
            for i in self.by_name(service_name)["integrations"]
        ]
        return str(key)

    def writes(self) -> list[Recorded]:
        return [r for r in self.requests if r.method != "GET"]

    # --- answering ----------------------------------------------------------------------

    def fault_for(self, method: str, path: str) -> Fault | None:
        for fault in self.faults:
            due = len(self.requests) >= fault.after and fault.times != 0
            if due and re.fullmatch(fault.pattern, f"{method} {path}"):
                if fault.times is not None:
                    fault.times -= 1
                return fault
        return None

    def service_view(self, service: dict[str, Any], include: bool) -> dict[str, Any]:
        view = dict(service)
        items = [self.integrations[i] for i in service["integrations"]]
        view["integrations"] = [
            dict(i)
            if include
            else {
                "id": i["id"],
                "type": f"{i['type']}_reference",
                "summary": i["name"],
                "self": i["self"],
            }
            for i in items
        ]
        return view


def _error(status: int, message: str, *errors: str) -> tuple[int, dict[str, Any]]:
    return status, {"error": {"message": message, "code": 2001, "errors": list(errors)}}


def _page(
    account: PagerDuty, key: str, items: list[dict[str, Any]], query: dict[str, list[str]]
) -> tuple[int, dict[str, Any]]:
    limit = min(int(query.get("limit", ["25"])[0]), account.page_limit)
    offset = int(query.get("offset", ["0"])[0])
    page = items[offset : offset + limit]
    more = offset + len(page) < len(items)
    return 200, {key: page, "limit": limit, "offset": offset, "more": more, "total": None}


def answer(
    account: PagerDuty, method: str, path: str, query: dict[str, list[str]], body: Any
) -> tuple[int, dict[str, Any] | None]:
    parts = path.strip("/").split("/")
    if parts == ["services"] and method == "GET":
        include = "integrations" in query.get("include[]", [])
        items = [account.service_view(s, include) for _, s in sorted(account.services.items())]
        return _page(account, "services", items, query)
    if parts == ["services"] and method == "POST":
        return _create_service(account, body)
    if parts[0] == "services" and len(parts) >= 2:
        service = account.services.get(parts[1])
        if service is None:
            return _error(404, "Not Found")
        if len(parts) == 2:
            return _one_service(account, method, service, body)
        if parts[2] == "integrations" and len(parts) == 3 and method == "POST":
            return _create_integration(account, service, body)
        if parts[2] == "integrations" and len(parts) == 4 and method == "GET":
            if parts[3] not in service["integrations"]:
                return _error(404, "Not Found")
            return 200, {"integration": account.integrations[parts[3]]}
    if parts == ["escalation_policies"] and method == "GET":
        wanted = query.get("query", [""])[0].lower()
        found = [p for _, p in sorted(account.policies.items()) if wanted in p["name"].lower()]
        return _page(account, "escalation_policies", found, query)
    if parts[0] == "escalation_policies" and len(parts) == 2 and method == "GET":
        policy = account.policies.get(parts[1])
        return (200, {"escalation_policy": policy}) if policy else _error(404, "Not Found")
    return _error(404, "Not Found")


def _valid_service(
    account: PagerDuty, entity: Any, *, name_of: str | None
) -> tuple[int, dict[str, Any]] | None:
    if not isinstance(entity, dict):
        return _error(400, "Invalid Input Provided", "service is required")
    policy = entity.get("escalation_policy")
    if policy is not None and (
        not isinstance(policy, dict) or policy.get("id") not in account.policies
    ):
        return _error(400, "Invalid Input Provided", "Escalation policy not found")
    name = entity.get("name")
    taken = {s["name"] for s in account.services.values() if s["id"] != name_of}
    if name in taken:
        return _error(400, "Invalid Input Provided", "Name has already been taken")
    return None


def _create_service(account: PagerDuty, body: Any) -> tuple[int, dict[str, Any]]:
    entity = body.get("service") if isinstance(body, dict) else None
    problem = _valid_service(account, entity, name_of=None)
    if problem:
        return problem
    assert isinstance(entity, dict)
    if not entity.get("name") or not entity.get("escalation_policy"):
        return _error(400, "Invalid Input Provided", "Name and escalation policy are required")
    service_id = account.new_id()
    service = account._service(service_id, entity, entity["escalation_policy"]["id"])
    account.services[service_id] = service
    return 201, {"service": account.service_view(service, False)}


def _one_service(
    account: PagerDuty, method: str, service: dict[str, Any], body: Any
) -> tuple[int, dict[str, Any] | None]:
    if method == "GET":
        return 200, {"service": account.service_view(service, False)}
    if method == "DELETE":
        for integration in service["integrations"]:
            del account.integrations[integration]
        del account.services[service["id"]]
        return 204, None
    if method == "PUT":
        entity = body.get("service") if isinstance(body, dict) else None
        problem = _valid_service(account, entity, name_of=service["id"])
        if problem:
            return problem
        assert isinstance(entity, dict)
        for key, value in entity.items():
            if key == "escalation_policy":
                service[key] = account._policy_reference(value["id"])
            elif key in service and key not in ("id", "type", "self", "integrations"):
                service[key] = value
        service["summary"] = service["name"]
        return 200, {"service": account.service_view(service, False)}
    return _error(405, "Method Not Allowed")


def _create_integration(
    account: PagerDuty, service: dict[str, Any], body: Any
) -> tuple[int, dict[str, Any]]:
    entity = body.get("integration") if isinstance(body, dict) else None
    if not isinstance(entity, dict) or not entity.get("type"):
        return _error(400, "Invalid Input Provided", "type is required")
    integration_id = account.add_integration(service["id"], entity.get("name", ""), entity["type"])
    return 201, {"integration": account.integrations[integration_id]}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read `requests`
        pass

    def _handle(self) -> None:
        account = self.server.account
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        with account.lock:
            status, payload, headers = self._respond(account, url.path, query, raw)
            account.requests.append(
                Recorded(self.command, url.path, query, time.monotonic(), status)
            )
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if payload is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _respond(
        self, account: PagerDuty, path: str, query: dict[str, list[str]], raw: bytes
    ) -> tuple[int, dict[str, Any] | None, dict[str, str]]:
        if self.headers.get("Authorization") != f"Token token={account.token}":
            return 401, {"error": {"message": "Unauthorized", "code": 2006}}, {}
        fault = account.fault_for(self.command, path)
        if fault is not None:
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            message = "Rate Limit Exceeded" if fault.status == 429 else "Internal Server Error"
            return fault.status, {"error": {"message": message, "code": 2020}}, headers
        body = json.loads(raw) if raw else None
        status, payload = answer(account, self.command, path, query, body)
        return status, payload, {}

    do_GET = do_POST = do_PUT = do_DELETE = _handle


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, account: PagerDuty, ca: trustme.CA) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.account = account
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
        self.socket = context.wrap_socket(self.socket, server_side=True)
        account.base = f"https://127.0.0.1:{self.server_address[1]}"
