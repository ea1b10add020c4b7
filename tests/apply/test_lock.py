"""Two applies in one checkout: the second is told who holds the lock, and a killed
holder leaves no stale lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from controlplane.apply.errors import ApplyLocked
from controlplane.apply.lock import apply_lock
from tests.conftest import ROOT

HOLD = """
import sys
from pathlib import Path
from controlplane.apply.lock import apply_lock
with apply_lock(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.readline()
"""


def hold_in_another_process(lock: Path) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(lock)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    return holder


def test_a_second_apply_is_refused_with_the_holder_named(tmp_path: Path) -> None:
    lock = tmp_path / "mlcp-apply.lock"
    holder = hold_in_another_process(lock)
    try:
        with (
            pytest.raises(
                ApplyLocked, match=f"another mlcp apply is running .*pid {holder.pid} on"
            ),
            apply_lock(lock),
        ):
            pytest.fail("took a lock another process holds")
    finally:
        holder.communicate("\n")
    with apply_lock(lock):  # released when the holder finished
        pass


def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    lock = tmp_path / "mlcp-apply.lock"
    holder = hold_in_another_process(lock)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    with apply_lock(lock):
        assert "pid" in lock.read_text()
    assert lock.read_text() == ""
