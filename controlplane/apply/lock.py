"""One `mlcp apply` at a time per checkout: an advisory lock in the git folder.

`flock` rather than a file that exists or not: the kernel releases the lock
when its holder dies, however it dies, so a killed apply never leaves a stale
lock behind. The file sits in the git folder so that taking it does not make
the working tree dirty. Across machines, CI's `concurrency` group and the
Pulumi backend's own stack lock keep applies apart.
"""

from __future__ import annotations

import fcntl
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from controlplane.apply.errors import ApplyLocked

LOCK_NAME = "mlcp-apply.lock"


@contextmanager
def apply_lock(path: Path) -> Iterator[None]:
    """Hold the lock at `path` for the block; refuse at once if another process holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "a process that did not say who it is"
            raise ApplyLocked(
                f"another mlcp apply is running in this checkout ({holder}); "
                f"wait for it to finish (lock: {path})"
            ) from None
        try:
            handle.truncate(0)
            since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            handle.write(f"pid {os.getpid()} on {socket.gethostname()} since {since}\n")
            handle.flush()
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)
