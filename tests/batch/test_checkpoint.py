from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from controlplane import batch
from controlplane.batch import CheckpointError, LocalStore, Run


def expected(rows: int) -> list[dict[str, int]]:
    return [{"row": i, "score": i * i + 1} for i in range(rows)]


def ticking(step: float = 1.0) -> Iterator[float]:
    return itertools.count(0.0, step)


class Killed(BaseException):
    """Stands for SIGKILL: nothing in the job may catch it."""


class CrashBeforeCheckpoint(LocalStore):
    """Writes parts but dies writing checkpoint.json once: the window a SIGKILL can hit."""

    crashed = False

    def write(self, name: str, data: bytes) -> None:
        if name == "checkpoint.json" and self.folder.joinpath(name).exists() and not self.crashed:
            self.crashed = True
            raise Killed
        super().write(name, data)


def test_commits_every_interval_by_the_clock(tmp_path: Path) -> None:
    clock = ticking()  # one second per call: a commit when 3 s passed since the last
    run = Run(LocalStore(tmp_path), every=3, clock=lambda: next(clock))
    for row in range(7):
        run.row_done({"row": row, "score": row * row + 1})
    assert run.committed.position == 6  # commits after rows 3 and 6 (clock 3 and 6 after 0)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "checkpoint.json",
        "part-000000000000.jsonl",
        "part-000000000003.jsonl",
    ]


def test_a_crash_between_part_and_checkpoint_scores_those_rows_once(tmp_path: Path) -> None:
    store = CrashBeforeCheckpoint(tmp_path)
    first = Run(store, every=0)
    first.row_done({"row": 0, "score": 1})  # committed
    with pytest.raises(Killed):
        first.row_done({"row": 1, "score": 2})  # part written, checkpoint not
    assert (tmp_path / "part-000000000001.jsonl").exists()
    again = Run(LocalStore(tmp_path), every=0)
    assert again.position == 1
    with again:
        for row in range(again.position, 4):
            again.row_done({"row": row, "score": row * row + 1})
    assert list(again.results()) == expected(4)


def test_user_state_survives_a_restart(tmp_path: Path) -> None:
    run = Run(LocalStore(tmp_path), every=0)
    run.row_done({"row": 0, "score": 1}, state={"total": 1})
    assert Run(LocalStore(tmp_path), every=0).state == {"total": 1}


def test_a_finished_job_refuses_more_rows_and_reruns_as_a_no_op(tmp_path: Path) -> None:
    with Run(LocalStore(tmp_path), every=100) as run:
        run.row_done({"row": 0, "score": 1})
    rerun = Run(LocalStore(tmp_path), every=100)
    assert rerun.finished and rerun.position == 1
    with pytest.raises(CheckpointError, match="already finished"):
        rerun.row_done({"row": 1, "score": 2})


def test_an_error_in_the_job_keeps_the_rows_done_before_it(tmp_path: Path) -> None:
    with pytest.raises(ZeroDivisionError), Run(LocalStore(tmp_path), every=100) as run:
        run.row_done({"row": 0, "score": 1})
        run.row_done({"row": 1, "score": 2})
        _ = 1 / 0
    resumed = Run(LocalStore(tmp_path), every=100)
    assert (resumed.position, resumed.finished) == (2, False)


def test_settings_come_from_the_environment(tmp_path: Path) -> None:
    env = {"MLCP_CHECKPOINT_URI": f"file://{tmp_path}/ck", "MLCP_CHECKPOINT_EVERY": "30"}
    run = batch.resume(env)
    assert run.every == 30.0
    assert isinstance(run.store, LocalStore) and run.store.folder == tmp_path / "ck"
    assert batch.resume({"MLCP_CHECKPOINT_URI": str(tmp_path)}).every == 600.0


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "MLCP_CHECKPOINT_URI is not set"),
        ({"MLCP_CHECKPOINT_URI": "x", "MLCP_CHECKPOINT_EVERY": "10m"}, "expected seconds"),
        ({"MLCP_CHECKPOINT_URI": "x", "MLCP_CHECKPOINT_EVERY": "-1"}, "expected seconds"),
        ({"MLCP_CHECKPOINT_URI": "x", "MLCP_CHECKPOINT_EVERY": "nan"}, "expected seconds"),
        ({"MLCP_CHECKPOINT_URI": "gs://bucket/x"}, "use s3://BUCKET/PREFIX"),
        ({"MLCP_CHECKPOINT_URI": "s3:///x"}, "names no bucket"),
    ],
)
def test_bad_settings_say_what_is_wrong(env: dict[str, str], message: str) -> None:
    with pytest.raises(CheckpointError, match=message):
        batch.resume(env)


def test_a_damaged_checkpoint_is_refused(tmp_path: Path) -> None:
    (tmp_path / "checkpoint.json").write_text("{not json")
    with pytest.raises(CheckpointError, match="not an mlcp checkpoint"):
        Run(LocalStore(tmp_path), every=0)
