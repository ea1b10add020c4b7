"""The local PagerDuty API, and a copy of the example specs whose routing keys go to a
temporary folder."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from controlplane.oncall import client
from tests.conftest import SPECS
from tests.oncall.pagerduty_server import PagerDuty, Server

TOKEN = "u+Zk3Qx9-secret-token-7Hq2"  # made up; tests prove it is never printed
# The escalation policies the example specs name (oncall.escalation_policy).
POLICIES = ("Risk ML", "Supply Chain ML", "Discovery ML", "ML Platform")


@pytest.fixture
def pagerduty_api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PagerDuty]:
    """A PagerDuty account on a local HTTPS server, which `mlcp oncall` reaches through
    PAGERDUTY_API_URL and trusts through SSL_CERT_FILE (the test's own CA)."""
    ca = trustme.CA()
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    account = PagerDuty(token=TOKEN)
    server = Server(account, ca)
    for name in POLICIES:
        account.add_policy(name)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("PAGERDUTY_TOKEN", TOKEN)
    monkeypatch.setenv("PAGERDUTY_API_URL", account.base)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    monkeypatch.setattr(client, "BACKOFF", 0.01)  # 5xx retries without Retry-After: fast
    try:
        yield account
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def specs(tmp_path: Path) -> Path:
    """The example specs, their routing keys written under tmp_path/keys."""
    folder = tmp_path / "specs"
    shutil.copytree(SPECS, folder)
    config = folder / "mlcp.yaml"
    keys = tmp_path / "keys"
    text = config.read_text().replace(
        "routing_key_dir: /etc/alertmanager/secrets/pagerduty", f"routing_key_dir: {keys}"
    )
    assert str(keys) in text
    config.write_text(text)
    return folder
