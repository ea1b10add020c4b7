"""A small Language Server Protocol client: drives the real yaml-language-server over stdio.

Only what the editor tests need: open a document, wait for its diagnostics, ask for
completion and hover. Messages are JSON-RPC 2.0 with a Content-Length header.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
from pathlib import Path
from typing import IO, Any

import pytest

from tests.conftest import ROOT, require_tool

SERVER = "yaml-language-server"
# Where `scripts/test-tools` installs the pinned server when it is not on PATH.
LOCAL_SERVER = ROOT / ".tools" / "node_modules" / ".bin" / SERVER
LOCAL_NODE = ROOT / ".tools" / "node_modules" / ".bin" / "node"
TIMEOUT = 20.0


def server_command() -> list[str]:
    """The command that starts the server (the project's pinned copy first, else PATH)."""
    script = str(LOCAL_SERVER.resolve()) if LOCAL_SERVER.exists() else require_tool(SERVER)
    node = str(LOCAL_NODE) if LOCAL_NODE.exists() else shutil.which("node")
    if node is None:
        if os.environ.get("CI"):
            pytest.fail("node is required under CI (scripts/test-tools installs it)")
        pytest.skip("node is not installed")
    return [node, script, "--stdio"]


def _read_message(stream: IO[bytes]) -> dict[str, Any] | None:
    length = 0
    while True:
        line = stream.readline()
        if not line:
            return None
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode("ascii").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    message: dict[str, Any] = json.loads(stream.read(length).decode("utf-8"))
    return message


class LanguageServer:
    """One running server; responses and notifications arrive on a reader thread."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self._process = subprocess.Popen(
            server_command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=ROOT,
        )
        self._next_id = 0
        self._responses: dict[int, queue.Queue[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self.diagnostics: dict[str, queue.Queue[list[dict[str, Any]]]] = {}
        self.errors: list[str] = []  # what the server reports failing (its telemetry events)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": ROOT.as_uri(),
                "capabilities": {
                    "textDocument": {
                        "completion": {"completionItem": {"snippetSupport": False}},
                        "hover": {"contentFormat": ["markdown", "plaintext"]},
                    },
                    "workspace": {"configuration": True},
                },
                "initializationOptions": {},
            },
        )
        self.notify("initialized", {})
        self._settings = {"yaml": {"validate": True, "hover": True, "completion": True, **settings}}
        self.notify("workspace/didChangeConfiguration", {"settings": self._settings})

    def _read(self) -> None:
        assert self._process.stdout is not None
        while (message := _read_message(self._process.stdout)) is not None:
            if "id" in message and "method" in message:  # a request from the server
                self._answer(message)
            elif "id" in message:
                with self._lock:
                    box = self._responses.get(message["id"])
                if box is not None:
                    box.put(message)
            elif message.get("method") == "telemetry/event":
                event = message["params"]
                if isinstance(event, dict) and str(event.get("name", "")).endswith(".error"):
                    self.errors.append(json.dumps(event))
            elif message.get("method") == "textDocument/publishDiagnostics":
                params = message["params"]
                self._box(params["uri"]).put(params["diagnostics"])

    def _box(self, uri: str) -> queue.Queue[list[dict[str, Any]]]:
        with self._lock:
            return self.diagnostics.setdefault(uri, queue.Queue())

    def _answer(self, request: dict[str, Any]) -> None:
        result: Any = None
        if request["method"] == "workspace/configuration":
            items = request["params"]["items"]
            result = [self._settings.get(item.get("section", ""), None) for item in items]
        self._send({"jsonrpc": "2.0", "id": request["id"], "result": result})

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps(message).encode("utf-8")
        assert self._process.stdin is not None
        self._process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self._process.stdin.flush()

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: dict[str, Any]) -> Any:
        with self._lock:
            self._next_id += 1
            ident = self._next_id
            box: queue.Queue[dict[str, Any]] = queue.Queue()
            self._responses[ident] = box
        self._send({"jsonrpc": "2.0", "id": ident, "method": method, "params": params})
        try:
            response = box.get(timeout=TIMEOUT)
        except queue.Empty:
            raise AssertionError(f"{SERVER} did not answer {method} in {TIMEOUT}s") from None
        assert "error" not in response, response["error"]
        return response.get("result")

    def open(self, path: Path, text: str) -> str:
        """Open a document (its text need not be on disk) and return its URI."""
        uri = path.resolve().as_uri()
        document = {"uri": uri, "languageId": "yaml", "version": 1, "text": text}
        self.notify("textDocument/didOpen", {"textDocument": document})
        return uri

    def close(self, uri: str) -> None:
        self.notify("textDocument/didClose", {"textDocument": {"uri": uri}})

    def diagnose(self, path: Path, text: str) -> list[dict[str, Any]]:
        """The diagnostics the server publishes for a document opened with this text."""
        uri = path.resolve().as_uri()
        box = self._box(uri)
        while not box.empty():
            box.get_nowait()
        self.open(path, text)
        try:
            found = box.get(timeout=TIMEOUT)
        except queue.Empty:
            raise AssertionError(f"{SERVER} published no diagnostics for {path}") from None
        return found

    def completion(self, uri: str, line: int, character: int) -> list[dict[str, Any]]:
        position = {"line": line, "character": character}
        result = self.request(
            "textDocument/completion", {"textDocument": {"uri": uri}, "position": position}
        )
        if result is None:
            return []
        items: list[dict[str, Any]] = result["items"] if isinstance(result, dict) else result
        return items

    def hover(self, uri: str, line: int, character: int) -> str | None:
        position = {"line": line, "character": character}
        result = self.request(
            "textDocument/hover", {"textDocument": {"uri": uri}, "position": position}
        )
        if not result:
            return None
        contents = result["contents"]
        return str(contents["value"] if isinstance(contents, dict) else contents)

    def stop(self) -> None:
        try:
            self.request("shutdown", {})
            self.notify("exit", {})
            self._process.wait(timeout=5)
        except (AssertionError, OSError, subprocess.TimeoutExpired):
            self._process.kill()
            self._process.wait()
