"""Checkpoints for batch jobs: resume a killed run with no row lost or processed twice.

A batch model runs as an AWS Batch job on spot capacity, which AWS may
reclaim at any moment; the job definition retries it. The job imports this
module to pick up where the last attempt stopped::

    from controlplane import batch

    rows = load_input()                       # the same rows, in the same order, every attempt
    with batch.resume() as run:               # reads the two variables below
        for row in rows[run.position :]:
            run.row_done(score(row))          # commits every MLCP_CHECKPOINT_EVERY seconds
    write_output(run.results())               # every row's output, exactly once, in order

The job definition passes two environment variables:

``MLCP_CHECKPOINT_URI``
    where checkpoints live: ``s3://BUCKET/PREFIX`` (through boto3 and the job's
    role) or a local folder (a path or ``file:///PATH``). Required.
``MLCP_CHECKPOINT_EVERY``
    seconds between commits, the spec's ``serving.checkpoint.every``
    (default 600). ``0`` commits after every row.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping

from controlplane.batch.checkpoint import Run
from controlplane.batch.errors import CheckpointError
from controlplane.batch.store import LocalStore, S3Store, Store, open_store

URI_VARIABLE = "MLCP_CHECKPOINT_URI"
EVERY_VARIABLE = "MLCP_CHECKPOINT_EVERY"
DEFAULT_EVERY = 600.0

__all__ = [
    "DEFAULT_EVERY",
    "EVERY_VARIABLE",
    "URI_VARIABLE",
    "CheckpointError",
    "LocalStore",
    "Run",
    "S3Store",
    "Store",
    "interval_from",
    "resume",
]


def interval_from(environ: Mapping[str, str]) -> float:
    """MLCP_CHECKPOINT_EVERY as seconds; a value that is not a number of seconds is refused."""
    text = environ.get(EVERY_VARIABLE, "").strip()
    if not text:
        return DEFAULT_EVERY
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds < 0:
        raise CheckpointError(
            f"{EVERY_VARIABLE}={text!r}: expected seconds between checkpoints, e.g. 600"
        )
    return seconds


def resume(environ: Mapping[str, str] | None = None) -> Run:
    """The run this attempt continues, from MLCP_CHECKPOINT_URI and MLCP_CHECKPOINT_EVERY."""
    env = os.environ if environ is None else environ
    uri = env.get(URI_VARIABLE, "").strip()
    if not uri:
        raise CheckpointError(
            f"{URI_VARIABLE} is not set: the job definition passes the checkpoint prefix "
            "(s3://BUCKET/PREFIX or a local folder)"
        )
    return Run(open_store(uri), interval_from(env))
