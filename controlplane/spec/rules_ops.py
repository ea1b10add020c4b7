"""Semantic rules on serving, retraining, fallback, and the tier policies of mlcp.yaml."""

from __future__ import annotations

from collections.abc import Iterator

from controlplane.diagnostics import Diagnostic
from controlplane.domain import QUALITY_METRICS, is_gpu_instance
from controlplane.spec.parse import did_you_mean
from controlplane.spec.rulebook import Context, rule
from controlplane.spec.v1 import MODE_FIELDS
from controlplane.units import (
    CADENCES,
    MONTH,
    cadence_schedule,
    cron_to_eventbridge,
    normalize_cron,
)


@rule("MLCP215", "a batch model declares serving.schedule (a valid cron)")
def _batch_schedule(ctx: Context) -> Iterator[Diagnostic]:
    serving = ctx.spec.serving
    if serving.mode == "batch" and not serving.schedule:
        yield ctx.report(
            ("serving",),
            "a batch model needs serving.schedule",
            'add a cron expression, e.g. schedule: "0 3 * * *"',
            key=True,
        )
    elif serving.schedule:
        try:
            cron_to_eventbridge(normalize_cron(serving.schedule))
        except ValueError as exc:
            yield ctx.report(("serving", "schedule"), f"serving.schedule: {exc}")


@rule("MLCP216", "a spot batch model checkpoints (serving.checkpoint.every)")
def _spot_checkpoint(ctx: Context) -> Iterator[Diagnostic]:
    serving = ctx.spec.serving
    if serving.mode == "batch" and serving.spot and serving.checkpoint is None:
        yield ctx.report(
            ("serving", "spot"),
            "a spot batch job needs serving.checkpoint so an interruption resumes, not restarts",
            "add checkpoint: {every: 10m}",
        )


@rule("MLCP217", "a cache sits only in front of a realtime model")
def _cache(ctx: Context) -> Iterator[Diagnostic]:
    if ctx.spec.serving.cache and ctx.spec.serving.mode != "realtime":
        yield ctx.report(
            ("serving", "cache"),
            "serving.cache is only for realtime models",
            "a batch job writes its results; remove the cache",
            key=True,
        )


@rule("MLCP226", "schedule, spot and checkpoint are for batch models; batching for realtime")
def _mode_fields(ctx: Context) -> Iterator[Diagnostic]:
    serving = ctx.spec.serving
    wrong = [name for mode, names in MODE_FIELDS.items() if mode != serving.mode for name in names]
    for name in wrong:
        if getattr(serving, name):  # set, and not its default (spot: false says nothing)
            yield ctx.report(
                ("serving", name),
                f"serving.{name} does not apply to a {serving.mode} model",
                "remove it, or change serving.mode",
                key=True,
            )


@rule("MLCP227", "a realtime model runs on a SageMaker type (ml.*), a batch model on EC2")
def _instance_kind(ctx: Context) -> Iterator[Diagnostic]:
    serving = ctx.spec.serving
    sagemaker = serving.instance_type.startswith("ml.")
    if (serving.mode == "realtime") != sagemaker:
        # The family is usually right and only the ml. prefix is off: say which type is meant.
        meant = (
            serving.instance_type.removeprefix("ml.")
            if sagemaker
            else "ml." + serving.instance_type
        )
        kind = "a SageMaker type (ml.*)" if not sagemaker else "an EC2 type (no ml. prefix)"
        yield ctx.report(
            ("serving", "instance_type"),
            f"serving.instance_type {serving.instance_type!r} does not fit a {serving.mode} model",
            f"a {serving.mode} model runs on {kind}: did you mean {meant!r}?",
        )


@rule("MLCP218", "a GPU instance serves a model that declares it needs a GPU", "warning")
def _gpu_rightsizing(ctx: Context) -> Iterator[Diagnostic]:
    serving, task = ctx.spec.serving, ctx.spec.task
    if is_gpu_instance(serving.instance_type) and not task.gpu:
        yield ctx.report(
            ("serving", "instance_type"),
            f"{serving.instance_type} is a GPU instance but task.gpu is not set",
            "right-size to a CPU instance, or set task.gpu: true if the model needs one",
        )


@rule("MLCP219", "a model that needs a GPU is served on a GPU instance")
def _gpu_missing(ctx: Context) -> Iterator[Diagnostic]:
    serving, task = ctx.spec.serving, ctx.spec.task
    if task.gpu and not is_gpu_instance(serving.instance_type):
        yield ctx.report(
            ("serving", "instance_type"),
            f"task.gpu is true but {serving.instance_type} has no GPU",
            "use a GPU instance such as "
            + ("ml.g5.xlarge" if serving.mode == "realtime" else "g5.xlarge"),
        )


@rule("MLCP225", "serving.instances.min ≤ max")
def _instances(ctx: Context) -> Iterator[Diagnostic]:
    instances = ctx.spec.serving.instances
    if instances.min > instances.max:
        yield ctx.report(
            ("serving", "instances", "min"),
            f"serving.instances.min ({instances.min}) is above max ({instances.max})",
            "raise max or lower min: autoscaling moves between the two",
        )


@rule("MLCP214", "the training window spans 6 to 12 months", "warning")
def _training_window(ctx: Context) -> Iterator[Diagnostic]:
    retraining = ctx.spec.retraining
    if retraining and not 6 * MONTH <= retraining.data.window.value <= 12 * MONTH:
        yield ctx.report(
            ("retraining", "data", "window"),
            f"retraining.data.window {retraining.data.window} is outside 6-12 months",
            "shorter windows forget seasonality; longer ones learn a world that is gone",
        )


@rule("MLCP223", "the promotion gate's metric is valid for the task type")
def _gate_metric(ctx: Context) -> Iterator[Diagnostic]:
    retraining = ctx.spec.retraining
    valid = list(QUALITY_METRICS[ctx.spec.task.type])
    if retraining and retraining.gate.metric not in valid:
        yield ctx.report(
            ("retraining", "gate", "metric"),
            f"retraining.gate.metric {retraining.gate.metric!r} is not defined for "
            f"{ctx.spec.task.type}",
            did_you_mean(retraining.gate.metric, valid) or f"use one of {', '.join(valid)}",
        )


@rule("MLCP224", f"retraining.cadence is {', '.join(CADENCES)} or a valid cron")
def _cadence(ctx: Context) -> Iterator[Diagnostic]:
    retraining = ctx.spec.retraining
    if not retraining or retraining.cadence in CADENCES:
        return
    try:
        cadence_schedule(retraining.cadence)
    except ValueError as exc:
        cadence = retraining.cadence
        named = f"({', '.join(CADENCES)})"
        if len(cadence.split()) == 1 and not cadence.startswith("@"):  # a word, not a cron
            message = f"retraining.cadence {cadence!r} is not a named cadence {named}"
            hint = (
                "did you mean 'biweekly'?"
                if cadence.lower() in ("fortnightly", "bi-weekly", "every two weeks")
                else did_you_mean(cadence.lower(), list(CADENCES))
                or 'name a cadence, or write a cron such as "0 3 * * 1"'
            )
        else:
            message = f"retraining.cadence {cadence!r} is not a valid cron expression: {exc}"
            hint = (
                "write five fields (minute hour day-of-month month day-of-week), "
                f"or name a cadence {named}"
            )
        yield ctx.report(("retraining", "cadence"), message, hint)


@rule("MLCP231", "each tuning parameter is one of int [lo, hi], float [lo, hi] or choices")
def _search_space(ctx: Context) -> Iterator[Diagnostic]:
    retraining = ctx.spec.retraining
    for name, param in retraining.tuning.space.items() if retraining else []:
        path = ("retraining", "tuning", "space", name)
        kinds = [k for k in (param.int_, param.float_, param.choices) if k is not None]
        bounds = param.int_ or param.float_
        if len(kinds) != 1:
            yield ctx.report(
                path,
                f"tuning parameter {name!r} must set exactly one of int, float, choices",
                "e.g. {int: [3, 10]}, {float: [0.01, 0.3]} or {choices: [gini, entropy]}",
            )
        elif bounds is not None and not bounds[0] < bounds[1]:
            yield ctx.report(
                path,
                f"tuning parameter {name!r}: low {bounds[0]} must be below high {bounds[1]}",
                f"write the range low first: [{bounds[1]}, {bounds[0]}]"
                if bounds[0] > bounds[1]
                else "a range of one value is a constant: set it in the training code",
            )
        elif param.log and bounds is None:
            yield ctx.report(
                path,
                f"tuning parameter {name!r}: a log scale applies to int and float ranges, "
                "not to choices",
                "drop log: true",
            )
        elif param.log and bounds is not None and bounds[0] <= 0:
            yield ctx.report(
                path,
                f"tuning parameter {name!r}: a log scale needs a range above 0",
                "start the range above 0 (e.g. 0.001), or drop log: true",
            )


@rule("MLCP239", "the tuning timeout fits in the training job's max_runtime")
def _tuning_fits(ctx: Context) -> Iterator[Diagnostic]:
    retraining = ctx.spec.retraining
    if retraining and retraining.tuning.timeout.value > retraining.compute.max_runtime.value:
        yield ctx.report(
            ("retraining", "tuning", "timeout"),
            f"retraining.tuning.timeout ({retraining.tuning.timeout}) exceeds "
            f"compute.max_runtime ({retraining.compute.max_runtime})",
            "the job would be stopped before tuning ends; raise max_runtime or lower timeout",
        )


@rule("MLCP232", "the fallback restores service within 5 minutes", "warning")
def _recovery(ctx: Context) -> Iterator[Diagnostic]:
    fallback = ctx.spec.fallback
    if fallback and fallback.recovery.value > 300:
        yield ctx.report(
            ("fallback", "recovery"),
            f"fallback.recovery {fallback.recovery} is over 5m",
            "`mlcp rollback` shifts weights in seconds; a slower fallback extends every outage",
        )
