"""Routing key files: each managed service's Events API v2 key, where Alertmanager's
`routing_key_file` reads it (the folder of mlcp.yaml's file store, `keystore.FileKeys`)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class KeyStoreError(Exception):
    """A store could not be read or written; the message names what and never the key."""


KEY_MODE = 0o600  # the key lets anyone page the team: readable by its owner only


def write_key(path: Path, key: str) -> bool:
    """Write `key` to `path` with mode 0600, atomically; False when it already held it."""
    text = key + "\n"
    try:
        if path.read_text(encoding="utf-8") == text and _mode(path) == KEY_MODE:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    # mkstemp creates the file 0600: the key is never readable by others, not even briefly.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temporary, KEY_MODE)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True


def check_writable(folder: Path) -> None:
    """Raise OSError unless a key file can be written in `folder`, as write_key writes one:
    the folder is made if missing, then a probe file is created there and removed."""
    folder.mkdir(parents=True, exist_ok=True)
    handle, probe = tempfile.mkstemp(dir=folder, prefix=".mlcp-probe.")
    os.close(handle)
    os.unlink(probe)


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777
