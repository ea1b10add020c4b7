"""The offline preview: the Pulumi program run under Pulumi's mocks with the real SDK.

`preview_offline` runs the whole program (the platform and every model);
`preview_model` runs one model's part against the platform's outputs as the mocks
make them, so a build previews again only the models that changed.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable, Sequence
from typing import Any

import pulumi
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from controlplane.infra import mocks, program, records, runtime
from controlplane.infra.platform import PlatformRefs
from controlplane.infra.tags import PLATFORM
from controlplane.model import Config, Model
from controlplane.perf import no_cyclic_gc

PROJECT, STACK = "mlcp", "offline"
Record = dict[str, Any]


def preview_offline(models: Sequence[Model], config: Config) -> list[Record]:
    """Every resource of the whole program, sorted: the platform's first, then by model."""
    return run_program(config, lambda: program.declare(models, config))


def preview_platform(models: Sequence[Model], config: Config) -> list[Record]:
    """The platform's resources alone."""
    return run_program(config, lambda: program.declare_platform(models, config))


def preview_model(model: Model, config: Config) -> list[Record]:
    """One model's resources, as the whole program declares them."""
    refs = offline_refs(config, gpu=bool(program.compute_needs([model]).gpu_types))
    return run_program(config, lambda: program.MlModel(model, config, refs))


def offline_refs(config: Config, *, gpu: bool) -> PlatformRefs:
    """The platform's outputs as the mocks give them to the whole program."""
    region = config.region

    def arn(token: str, name: str) -> str:
        return mocks.arn(token, name, region)

    return PlatformRefs(
        bucket=f"{PLATFORM}-artifacts",
        sagemaker_role_arn=arn("aws:iam/role:Role", f"{PLATFORM}-sagemaker"),
        job_role_arn=arn("aws:iam/role:Role", f"{PLATFORM}-batch-job"),
        scheduler_role_arn=arn("aws:iam/role:Role", f"{PLATFORM}-scheduler"),
        cpu_queue_arn=arn("aws:batch/jobQueue:JobQueue", f"{PLATFORM}-cpu"),
        gpu_queue_arn=arn("aws:batch/jobQueue:JobQueue", f"{PLATFORM}-gpu") if gpu else None,
        workspace_id=f"{PLATFORM}-prometheus",
    )


def run_program(config: Config, declare: Callable[[], object]) -> list[Record]:
    """Run `declare` as a Pulumi program under the mocks; the resources it registered."""
    return records.sort_records(_records(registered(config, declare)))


def registered(config: Config, declare: Callable[[], object]) -> list[mocks.Registered]:
    """Every resource and component `declare` registers under the mocks, in order."""
    # Pulumi keeps its settings and root stack in context variables, and its work on an
    # event loop: each preview gets fresh ones of both, so previews never share state and
    # a process forked after one (a build's workers) inherits no loop without its threads
    # (and gets an executor of its own: `runtime.executor`).
    recording = mocks.RecordingMocks(config.region)
    # A fifth of a preview's time went to rescanning the SDK's objects, a sixth to the
    # SDK's stack traces (see `runtime`).
    with no_cyclic_gc(), runtime.no_source_positions():
        contextvars.Context().run(_run_fresh, recording, declare)
    return recording.registered


def _run_fresh(recording: mocks.RecordingMocks, declare: Callable[[], object]) -> None:
    def program() -> None:
        declare()

    loop = asyncio.new_event_loop()
    loop.set_default_executor(runtime.executor())  # its threads outlive the loop
    asyncio.set_event_loop(loop)
    try:
        pulumi.runtime.set_mocks(
            recording,
            project=PROJECT,
            stack=STACK,
            preview=False,
            monitor=mocks.RecordingMonitor(recording),
        )
        _sync_await(run_pulumi_func(program))
    finally:
        loop.close()  # the executor stays: `runtime.KeptExecutor`
        asyncio.set_event_loop(None)


def _records(registered: Sequence[mocks.Registered]) -> list[Record]:
    by_urn = {r.urn: r for r in registered}
    model_by_urn: dict[str, str | None] = {}
    out: list[Record] = []
    for resource in registered:  # a parent registers before its children
        parent = by_urn.get(resource.parent_urn)
        parent_model = model_by_urn.get(resource.parent_urn)
        model = records.model_of(resource.inputs, parent_model)
        model_by_urn[resource.urn] = model
        record: Record = {
            "model": model,
            "type": resource.type,
            "name": resource.name,
            "parent": parent.name if parent else None,
            "inputs": {} if not resource.custom else records.normalize(resource.inputs),
        }
        if resource.custom:
            record["replace_on"] = list(records.REPLACE_ON.get(resource.type, ("name",)))
        out.append(record)
    return out
