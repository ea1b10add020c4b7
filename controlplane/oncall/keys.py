"""Routing key files: each managed service's Events API v2 key, where Alertmanager's
`routing_key_file` reads it (the folder of mlcp.yaml's file store, `keystore.FileKeys`)."""

from __future__ import annotations

import errno
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
    """Raise OSError unless a key file can be written in `folder`, as write_key writes one,
    leaving no folder behind: a probe file in the folder, or in the nearest folder above it
    that exists when write_key would have to make the rest."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():  # what mkdir would meet on the way to the folder
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(existing))
    handle, probe = tempfile.mkstemp(dir=existing, prefix=".mlcp-probe.")
    os.close(handle)
    os.unlink(probe)


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777
