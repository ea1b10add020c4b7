"""Hyperparameter search that survives its machine: Optuna TPE on SQLite, with a heartbeat.

Every trial is written to a SQLite file as it starts and ends, and a running
trial refreshes a heartbeat there every ``heartbeat`` seconds. When a spot
instance is reclaimed mid-trial the trial stays "running" in the file with a
stale heartbeat; the next ``tune`` on the same file marks it failed (once the
grace period has passed) and queues a retry with the same parameters, counts
the trials already completed toward ``trials``, and runs only the rest.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import optuna
from optuna.exceptions import ExperimentalWarning
from optuna.storages import RDBStorage, RetryHeartbeatStaleTrialCallback
from optuna.trial import TrialState
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from controlplane.errors import MlcpError
from controlplane.model import SearchParam

Params = dict[str, object]
# How often a running trial proves it is alive, and how long silence means it died.
HEARTBEAT_SECONDS = 10
GRACE_SECONDS = 30
# A trial killed this many times in a row is given up (its parameters may be what kills it).
MAX_RETRIES = 3
ERROR_ATTR = "mlcp_error"


class TuneError(MlcpError):
    """The search could not run or found nothing (one clear line, exit 2)."""


@dataclass(frozen=True)
class TuneResult:
    best_params: Params
    best_value: float
    completed: int  # completed trials in the study, including those of earlier runs
    failed: int  # failed trials in the study: errors, and trials killed mid-run
    resumed_from: int  # completed trials found in storage when this run began
    last_error: str | None = None  # why the most recent failed trial failed, when it raised


def tune(
    space: Sequence[SearchParam],
    objective: Callable[[Params], float],
    *,
    direction: Literal["maximize", "minimize"],
    trials: int,
    timeout: float | None,
    seed: int,
    storage: Path,
    study_name: str,
    heartbeat: int = HEARTBEAT_SECONDS,
    grace: int = GRACE_SECONDS,
) -> TuneResult:
    """Run (or resume) the study until `trials` trials have completed or `timeout` passes.

    A trial whose objective raises or returns NaN is recorded as failed and the
    search goes on; only a study with no completed trial at all is an error.
    """
    # Optuna logs every trial (and a failed trial's traceback); the result says what matters.
    optuna.logging.set_verbosity(logging.ERROR)
    if trials < 1:
        raise TuneError(f"tuning needs at least one trial (got {trials})")
    if timeout is not None and timeout <= 0:
        raise TuneError(f"the tuning timeout must be positive (got {timeout} s)")
    try:
        study = _open_study(storage, study_name, direction, seed, heartbeat, grace)
        resumed_from = _count(study, TrialState.COMPLETE)
        remaining = trials - resumed_from
        if remaining > 0:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ExperimentalWarning)
                study.optimize(
                    lambda trial: _run(trial, space, objective),
                    n_trials=remaining,
                    timeout=timeout,
                    catch=(Exception,),
                )
        return _result(study, resumed_from)
    except SQLAlchemyError as error:  # a file that is not (or no longer) an SQLite database
        orig = error.orig if isinstance(error, DBAPIError) else None
        cause = orig or error  # sqlite3's own words, without SQLAlchemy's SQL and link
        raise _unreadable(storage, cause) from None


def _unreadable(storage: Path, error: BaseException) -> TuneError:
    reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return TuneError(
        f"{storage}: not a readable Optuna study database ({reason}); "
        "move it away to start the search afresh"
    )


def _open_study(
    storage: Path,
    name: str,
    direction: Literal["maximize", "minimize"],
    seed: int,
    heartbeat: int,
    grace: int,
) -> optuna.Study:
    storage.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExperimentalWarning)
        try:
            rdb = RDBStorage(
                f"sqlite:///{storage.resolve()}",
                engine_kwargs={"connect_args": {"timeout": 60}},  # the heartbeat thread writes too
                heartbeat_interval=heartbeat,
                grace_period=grace,
                heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback(
                    max_retry=MAX_RETRIES
                ),
            )
        except RuntimeError as error:  # tables of a schema version this Optuna cannot read
            raise _unreadable(storage, error) from None
        study = optuna.create_study(
            storage=rdb,
            study_name=name,
            direction=direction,
            sampler=optuna.samplers.TPESampler(seed=seed),
            load_if_exists=True,
        )
    if study.direction.name.lower() != direction:
        raise TuneError(
            f"study {name!r} in {storage} was created to {study.direction.name.lower()}, "
            f"not to {direction}: remove the file or use another study name"
        )
    return study


def _run(
    trial: optuna.Trial, space: Sequence[SearchParam], objective: Callable[[Params], float]
) -> float:
    try:
        return objective(_suggest(trial, space))
    except Exception as error:
        # Kept with the trial, so a later run can still say why it failed.
        trial.set_user_attr(ERROR_ATTR, f"{type(error).__name__}: {error}")
        raise


def _suggest(trial: optuna.Trial, space: Sequence[SearchParam]) -> Params:
    params: Params = {}
    for p in space:
        if p.kind == "int":
            assert p.low is not None and p.high is not None  # the model fills bounds for ranges
            params[p.name] = trial.suggest_int(p.name, int(p.low), int(p.high), log=p.log)
        elif p.kind == "float":
            assert p.low is not None and p.high is not None
            params[p.name] = trial.suggest_float(p.name, p.low, p.high, log=p.log)
        else:
            params[p.name] = trial.suggest_categorical(p.name, list(p.choices))
    return params


def _count(study: optuna.Study, state: TrialState) -> int:
    return len(study.get_trials(deepcopy=False, states=(state,)))


def _result(study: optuna.Study, resumed_from: int) -> TuneResult:
    completed = _count(study, TrialState.COMPLETE)
    failed = study.get_trials(deepcopy=False, states=(TrialState.FAIL,))
    errors = [str(t.user_attrs[ERROR_ATTR]) for t in failed if ERROR_ATTR in t.user_attrs]
    last = errors[-1] if errors else None
    if completed == 0:
        raise TuneError(
            f"no tuning trial completed ({len(failed)} failed); last error: {last or 'none'}"
        )
    best = study.best_trial
    assert best.value is not None  # a completed single-objective trial has a value
    return TuneResult(dict(best.params), best.value, completed, len(failed), resumed_from, last)
