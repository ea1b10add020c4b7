"""Where `mlcp oncall apply` keeps each service's routing key, so that the Alertmanager
that reads it (`routing_key_file: <folder>/<service>`) can: a folder it shares
(`FileKeys`) or AWS Secrets Manager, mounted into it (`oncall.secrets.SecretsManagerKeys`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from controlplane.model import Config
from controlplane.oncall.keys import KeyStoreError as KeyStoreError
from controlplane.oncall.keys import check_writable, write_key


class KeyStore(Protocol):
    def where(self, service: str) -> str:
        """What holds the service's key, for people: a file path or a secret's name."""

    def read(self, service: str) -> str | None:
        """The key held for the service; None when there is none."""

    def write(self, service: str, key: str) -> bool:
        """Hold `key` for the service; False when it already did."""

    def remove(self, service: str) -> bool:
        """Remove the service's key if mlcp put it there; False when there was none."""

    def managed(self) -> list[str]:
        """The services whose keys this store holds for mlcp (what prune may sweep)."""

    def check(self) -> str:
        """Raise KeyStoreError unless keys can be written; else one line saying what was
        checked."""


class FileKeys:
    """One file per service in a folder Alertmanager reads (mode 0600)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def where(self, service: str) -> str:
        return str(self.folder / service)

    def read(self, service: str) -> str | None:
        try:
            return (self.folder / service).read_text(encoding="utf-8").strip()
        except OSError:
            return None

    def write(self, service: str, key: str) -> bool:
        return write_key(self.folder / service, key)

    def remove(self, service: str) -> bool:
        path = self.folder / service
        existed = path.exists()
        path.unlink(missing_ok=True)
        return existed

    def managed(self) -> list[str]:
        return []  # a folder says nothing of who wrote a file: prune removes what it deletes

    def check(self) -> str:
        try:
            check_writable(self.folder)
        except OSError as error:
            raise KeyStoreError(
                f"cannot write routing keys to {self.folder} ({error.strerror or error}): "
                "run mlcp apply where Alertmanager's routing key folder is mounted writable, "
                "or set pagerduty.routing_key_dir in mlcp.yaml to that folder"
            ) from None
        return f"routing keys: {self.folder} is writable"


def open_store(config: Config) -> KeyStore:
    """The store mlcp.yaml's pagerduty.routing_keys declares."""
    store = config.routing_key_store
    if store.kind == "file":
        return FileKeys(Path(config.pagerduty_routing_key_dir))
    from controlplane.oncall.secrets import SecretsManagerKeys  # boto3 only when used

    return SecretsManagerKeys.connect(config.region, store.prefix, store.kms_key_id)
