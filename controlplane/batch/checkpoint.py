"""Exactly-once progress for a batch job that may be killed at any moment.

A run reads its input in a fixed order and records, row by row, what each row
produced. Every `every` seconds it commits: first the outputs since the last
commit as one part object, then `checkpoint.json`, which names the committed
parts, the position (rows done) and the job's own state. A part that no
checkpoint names was written by a run killed between the two writes; the next
run deletes it and scores those rows again. Because the checkpoint moves
only after its part is stored, and each object appears whole or not at all,
a run killed anywhere loses no row and commits none twice.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from controlplane.batch.errors import CheckpointError
from controlplane.batch.store import Store

CHECKPOINT = "checkpoint.json"
FORMAT = "mlcp-checkpoint/1"
PART_PREFIX = "part-"


@dataclass
class Committed:
    """What `checkpoint.json` says: the rows done, where their outputs are, the job's state."""

    position: int = 0
    parts: list[str] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)
    finished: bool = False

    def dumps(self) -> bytes:
        body = {"format": FORMAT, **self.__dict__}
        return json.dumps(body, sort_keys=True, indent=2).encode("utf-8")

    @classmethod
    def loads(cls, data: bytes) -> Committed:
        try:
            body = json.loads(data)
            if body.pop("format") != FORMAT:
                raise ValueError("unknown format")
            return cls(**body)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise CheckpointError(f"{CHECKPOINT} is not an mlcp checkpoint: {exc}") from None


class Run:
    """One attempt of a batch job: resumes where the last commit left off.

    `position` is the index of the first input row to process; call
    `row_done(*outputs)` once per row, in input order; `finish()` at the end
    (the `with` statement does both the final commit and, on an error, the
    commit of the rows already done). Inside the `with`, SIGTERM (what AWS
    Batch sends before it stops a container, a spot reclaim included) lets
    the row in progress finish, commits, and exits with status 143.
    """

    def __init__(
        self, store: Store, every: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.store, self.every, self.clock = store, every, clock
        stored = store.read(CHECKPOINT)
        self.committed = Committed.loads(stored) if stored is not None else Committed()
        self._drop_orphan_parts()
        self.position = self.committed.position
        self.state: dict[str, Any] = dict(self.committed.state)
        self._pending: list[str] = []
        self._last_commit = clock()
        self._terminated = False
        self._previous_handler: Any = None

    @property
    def finished(self) -> bool:
        return self.committed.finished

    def row_done(self, *outputs: Any, state: dict[str, Any] | None = None) -> None:
        """One input row is processed: keep its outputs (JSON values), commit if it is time."""
        if self.finished:
            raise CheckpointError("this job already finished; its checkpoint takes no more rows")
        self._pending += [json.dumps(o, sort_keys=True) for o in outputs]
        self.position += 1
        if state is not None:
            self.state = dict(state)
        if self._terminated:
            self.commit()
            raise SystemExit(128 + signal.SIGTERM)
        if self.clock() - self._last_commit >= self.every:
            self.commit()

    def commit(self) -> None:
        """Store the outputs since the last commit, then move the checkpoint past them."""
        if self.position == self.committed.position and self.state == self.committed.state:
            return
        parts = list(self.committed.parts)
        if self.position > self.committed.position:
            part = f"{PART_PREFIX}{self.committed.position:012d}.jsonl"
            self.store.write(part, "".join(line + "\n" for line in self._pending).encode())
            parts.append(part)
        self._save(Committed(self.position, parts, dict(self.state)))

    def finish(self) -> None:
        """Commit the rest and mark the job done: a rerun then has nothing to do."""
        if not self.finished:
            self.commit()
            self._save(Committed(self.position, self.committed.parts, self.state, finished=True))

    def results(self) -> Iterator[Any]:
        """Every committed output, in input order."""
        for part in self.committed.parts:
            data = self.store.read(part)
            if data is None:
                raise CheckpointError(f"{CHECKPOINT} names {part}, which is missing")
            yield from (json.loads(line) for line in data.decode("utf-8").splitlines())

    def _save(self, committed: Committed) -> None:
        self.store.write(CHECKPOINT, committed.dumps())
        self.committed = committed
        self._pending = []
        self._last_commit = self.clock()

    def _drop_orphan_parts(self) -> None:
        named = set(self.committed.parts)
        for name in self.store.names():
            if name.startswith(PART_PREFIX) and name not in named:
                self.store.delete(name)

    def _on_sigterm(self, signum: int, frame: object) -> None:
        # Only a flag: the row in progress finishes, then row_done commits and exits.
        self._terminated = True

    def __enter__(self) -> Run:
        if threading.current_thread() is threading.main_thread():
            self._previous_handler = signal.signal(signal.SIGTERM, self._on_sigterm)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._previous_handler is not None:
            signal.signal(signal.SIGTERM, self._previous_handler)
        # Rows recorded before an error are complete: keep them, so a retry skips them.
        if kind is None:
            self.finish()
        elif not self.finished:
            self.commit()
