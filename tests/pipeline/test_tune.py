from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import optuna
import pytest
from optuna.trial import TrialState

from controlplane.model import SearchParam
from controlplane.pipeline.tune import TuneError, tune

ROOT = Path(__file__).resolve().parents[2]
SPACE = (
    SearchParam("x", "float", -5.0, 5.0, False, ()),
    SearchParam("depth", "int", 1.0, 64.0, True, ()),
    SearchParam("kind", "categorical", None, None, False, ("a", "b")),
)


def score(params: dict[str, object]) -> float:
    x, depth = float(params["x"]), int(params["depth"])  # type: ignore[arg-type,call-overload]
    return -((x - 2) ** 2) - abs(depth - 8) / 8 - (0.0 if params["kind"] == "a" else 1.0)


# A tuning process that hangs inside its third trial, to be killed there.
WORKER = """
import json, sys, time
from pathlib import Path
from tests.pipeline.test_tune import SPACE, score
from controlplane.pipeline.tune import tune

storage, marker = Path(sys.argv[1]), Path(sys.argv[2])
calls = 0

def objective(params):
    global calls
    calls += 1
    if calls == 3:
        marker.write_text(json.dumps(params))
        time.sleep(600)
    return score(params)

tune(SPACE, objective, direction="maximize", trials=8, timeout=None, seed=3,
     storage=storage, study_name="fraud-detector", heartbeat=1, grace=2)
"""


def start_and_kill_mid_trial(storage: Path, marker: Path) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(storage), str(marker)], env=env, cwd=ROOT
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert worker.poll() is None, "the tuning process ended before its third trial"
            assert time.monotonic() < deadline, "the third trial never started"
            time.sleep(0.05)
        time.sleep(1.5)  # a heartbeat or two from inside the trial
        worker.send_signal(signal.SIGKILL)
    finally:
        worker.kill()
        worker.wait()
    assert worker.returncode == -signal.SIGKILL
    return dict(json.loads(marker.read_text()))


def test_a_study_killed_mid_trial_resumes_and_retries_the_killed_trial(tmp_path: Path) -> None:
    storage = tmp_path / "tune" / "study.db"
    killed_params = start_and_kill_mid_trial(storage, tmp_path / "in-trial-3")
    left = optuna.load_study(study_name="fraud-detector", storage=f"sqlite:///{storage}").trials
    assert [t.state for t in left] == [TrialState.COMPLETE, TrialState.COMPLETE, TrialState.RUNNING]

    time.sleep(2.5)  # the grace period passes with no heartbeat: the trial is known dead
    seen: list[dict[str, object]] = []

    def objective(params: dict[str, object]) -> float:
        seen.append(params)
        return score(params)

    result = tune(
        SPACE,
        objective,
        direction="maximize",
        trials=8,
        timeout=None,
        seed=3,
        storage=storage,
        study_name="fraud-detector",
        heartbeat=1,
        grace=2,
    )

    assert result.resumed_from == 2
    assert (result.completed, result.failed) == (8, 1)
    assert len(seen) == 6  # only the trials still owed, not a restart from zero
    assert seen[0] == killed_params  # the killed trial is retried first, with its parameters
    trials = optuna.load_study(study_name="fraud-detector", storage=f"sqlite:///{storage}").trials
    killed = trials[2]
    assert killed.state == TrialState.FAIL
    retry = next(t for t in trials if t.system_attrs.get("failed_trial") == killed.number)
    assert retry.state == TrialState.COMPLETE and retry.params == killed.params
    assert result.best_value == max(t.value for t in trials if t.state == TrialState.COMPLETE)  # type: ignore[type-var]


def test_a_finished_study_runs_nothing_more(tmp_path: Path) -> None:
    kwargs = {
        "direction": "maximize",
        "timeout": None,
        "seed": 1,
        "storage": tmp_path / "s.db",
        "study_name": "m",
    }
    first = tune(SPACE, score, trials=4, **kwargs)  # type: ignore[arg-type]
    calls: list[object] = []
    again = tune(SPACE, lambda p: calls.append(p) or score(p), trials=4, **kwargs)  # type: ignore[arg-type]
    assert calls == [] and again.resumed_from == 4 and again.best_params == first.best_params


def test_the_search_is_seeded_and_finds_the_optimum_region(tmp_path: Path) -> None:
    runs = [
        tune(
            SPACE,
            score,
            direction="maximize",
            trials=30,
            timeout=None,
            seed=7,
            storage=tmp_path / f"{i}.db",
            study_name="m",
        )
        for i in range(2)
    ]
    assert runs[0] == runs[1]
    assert runs[0].best_params["kind"] == "a"
    assert abs(float(runs[0].best_params["x"]) - 2) < 1.5  # type: ignore[arg-type]


def test_failing_trials_are_recorded_and_the_search_goes_on(tmp_path: Path) -> None:
    def flaky(params: dict[str, object]) -> float:
        if params["kind"] == "b":
            raise ValueError("diverged")
        return score(params)

    result = tune(
        SPACE,
        flaky,
        direction="maximize",
        trials=12,
        timeout=None,
        seed=2,
        storage=tmp_path / "s.db",
        study_name="m",
    )
    assert result.failed > 0 and result.completed + result.failed == 12
    assert result.last_error == "ValueError: diverged"
    assert result.best_params["kind"] == "a"


def test_a_search_where_every_trial_fails_is_one_clear_error(tmp_path: Path) -> None:
    def broken(params: dict[str, object]) -> float:
        raise KeyError("label")

    with pytest.raises(
        TuneError, match=r"^no tuning trial completed \(3 failed\); last error: KeyError: 'label'$"
    ):
        tune(
            SPACE,
            broken,
            direction="minimize",
            trials=3,
            timeout=None,
            seed=0,
            storage=tmp_path / "s.db",
            study_name="m",
        )


def test_resuming_with_the_other_direction_is_refused(tmp_path: Path) -> None:
    tune(
        SPACE,
        score,
        direction="maximize",
        trials=1,
        timeout=None,
        seed=0,
        storage=tmp_path / "s.db",
        study_name="m",
    )
    with pytest.raises(TuneError, match="was created to maximize, not to minimize"):
        tune(
            SPACE,
            score,
            direction="minimize",
            trials=1,
            timeout=None,
            seed=0,
            storage=tmp_path / "s.db",
            study_name="m",
        )


@pytest.mark.parametrize(
    ("trials", "timeout", "message"),
    [
        (0, None, r"^tuning needs at least one trial \(got 0\)$"),
        (3, 0.0, r"^the tuning timeout must be positive \(got 0.0 s\)$"),
    ],
)
def test_a_search_that_cannot_run_is_refused(
    tmp_path: Path, trials: int, timeout: float | None, message: str
) -> None:
    with pytest.raises(TuneError, match=message):
        tune(
            SPACE,
            score,
            direction="maximize",
            trials=trials,
            timeout=timeout,
            seed=0,
            storage=tmp_path / "s.db",
            study_name="m",
        )
    assert not (tmp_path / "s.db").exists()


def _study_file(tmp_path: Path) -> bytes:
    """The bytes of a real study database with two completed trials."""
    storage = tmp_path / "whole.db"
    tune(
        SPACE,
        score,
        direction="maximize",
        trials=2,
        timeout=None,
        seed=0,
        storage=storage,
        study_name="m",
    )
    return storage.read_bytes()


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda data: b"not a database " * 100, "file is not a database"),
        (lambda data: data[: len(data) // 3], "database disk image is malformed"),
        (lambda data: data[:100], "database disk image is malformed"),
    ],
    ids=["not-sqlite", "cut-to-a-third", "header-only"],
)
def test_a_corrupted_study_database_is_one_line_naming_the_file(
    tmp_path: Path, damage: Any, reason: str
) -> None:
    storage = tmp_path / "study.db"
    storage.write_bytes(damage(_study_file(tmp_path)))
    with pytest.raises(TuneError) as raised:
        tune(
            SPACE,
            score,
            direction="maximize",
            trials=3,
            timeout=None,
            seed=0,
            storage=storage,
            study_name="m",
        )
    assert str(raised.value) == (
        f"{storage}: not a readable Optuna study database ({reason}); "
        "move it away to start the search afresh"
    )
