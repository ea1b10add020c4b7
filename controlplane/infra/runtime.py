"""What a preview's Pulumi runtime costs per resource that a preview under mocks can spare.

Measured on 100 models (1,500 resources), per-model previews: about a sixth of the
time went to the SDK capturing a stack trace for every resource (for source
positions that only a real engine shows), and a tenth to starting the threads of
a new executor for every preview. Neither changes a registered input.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pulumi.runtime.resource as sdk_resource
from pulumi.runtime.proto import source_pb2


class KeptExecutor(ThreadPoolExecutor):
    """The executor every preview's event loop runs the mock monitor's calls on: closing
    a loop shuts its executor down, and this one outlives the loop, so its threads
    start once per process (they end with the interpreter, as any pool's do)."""

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        return None


_executors: dict[int, KeptExecutor] = {}


def executor() -> KeptExecutor:
    """This process's executor: a process forked after a preview gets its own, since
    it inherits the pool without its threads."""
    pid = os.getpid()
    if pid not in _executors:
        _executors.clear()
        _executors[pid] = KeptExecutor(thread_name_prefix="mlcp-preview")
    return _executors[pid]


def _no_stack_trace() -> source_pb2.StackTrace:
    # What the SDK itself returns when it finds no user frame: no source position.
    return source_pb2.StackTrace()


@contextmanager
def no_source_positions() -> Iterator[None]:
    """Within, registrations carry no stack trace: the mocks never read one, and taking
    it (`traceback.extract_stack` and a file URI per frame) cost every resource more
    than registering it. Restored on leaving."""
    original = getattr(sdk_resource, "_get_stack_trace", None)
    if original is None:  # a pulumi that no longer has it: nothing to spare, nothing to break
        yield
        return
    sdk_resource._get_stack_trace = _no_stack_trace
    try:
        yield
    finally:
        sdk_resource._get_stack_trace = original
