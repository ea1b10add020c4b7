"""A real job process, killed with SIGKILL part-way and run again until it finishes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from controlplane.batch import LocalStore, Run, Store
from tests.batch.test_checkpoint import expected

ROOT = Path(__file__).resolve().parents[2]
JOB = Path(__file__).with_name("scoring_job.py")
ROWS = 400


def start_job(env: Mapping[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(JOB), str(ROWS), "0.002"],
        env={**os.environ, "PYTHONPATH": str(ROOT), "MLCP_CHECKPOINT_EVERY": "0.01", **env},
        stdout=subprocess.PIPE,
        text=True,
    )


def committed_position(store: Store) -> int:
    data = store.read("checkpoint.json")
    return int(json.loads(data)["position"]) if data else 0


def kill_part_way(env: Mapping[str, str], store: Store, past: int) -> int:
    """Start the job, SIGKILL it once it has committed more than `past` rows."""
    job = start_job(env)
    deadline = time.monotonic() + 60
    while committed_position(store) <= past and job.poll() is None:
        assert time.monotonic() < deadline, "the job made no progress"
        time.sleep(0.005)
    job.send_signal(signal.SIGKILL)
    assert job.wait() == -signal.SIGKILL, "the job ended before it was killed"
    return committed_position(store)


def kill_twice_then_finish(env: Mapping[str, str], store: Store) -> None:
    first = kill_part_way(env, store, past=0)
    second = kill_part_way(env, store, past=first + 50)
    assert 0 < first < second < ROWS
    finishing = start_job(env)
    assert finishing.communicate(timeout=120)[0] == f"resuming at row {second}\n"
    assert finishing.returncode == 0
    final = Run(store, every=0)
    assert final.finished
    assert list(final.results()) == expected(ROWS)  # every row once, in order


def test_a_killed_local_job_resumes_with_no_row_lost_or_scored_twice(tmp_path: Path) -> None:
    kill_twice_then_finish({"MLCP_CHECKPOINT_URI": str(tmp_path)}, LocalStore(tmp_path))


def test_sigterm_commits_the_rows_done_and_exits_143(tmp_path: Path) -> None:
    """AWS Batch stops a container with SIGTERM first: nothing done before it is redone."""
    store = LocalStore(tmp_path)
    job = start_job({"MLCP_CHECKPOINT_URI": str(tmp_path), "MLCP_CHECKPOINT_EVERY": "3600"})
    assert job.stdout is not None and job.stdout.readline() == "resuming at row 0\n"
    time.sleep(0.2)  # rows scored but, an hour from the first commit, not committed
    job.send_signal(signal.SIGTERM)
    assert job.wait(timeout=30) == 143
    stopped = Run(store, every=0)
    assert 0 < stopped.position < ROWS and not stopped.finished
    assert list(stopped.results()) == expected(stopped.position)
    finishing = start_job({"MLCP_CHECKPOINT_URI": str(tmp_path)})
    assert finishing.communicate(timeout=120)[0] == f"resuming at row {stopped.position}\n"
    assert finishing.returncode == 0
    assert list(Run(store, every=0).results()) == expected(ROWS)
