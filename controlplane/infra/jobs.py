"""A spot-tolerant AWS Batch job definition and the EventBridge schedule that submits it.

Shared by BatchInference and Retraining. A job asks for what its instance type
offers (less what the ECS agent keeps), retries a spot reclaim and nothing else,
and is stopped at its timeout.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from controlplane import domain

# Batch reports a reclaimed spot instance with a status reason starting so; any other
# failure is the job's own and retrying it would fail the same way.
SPOT_RECLAIM_REASON = "Host EC2*"
SPOT_ATTEMPTS = 5
SUBMIT_JOB = "arn:aws:scheduler:::aws-sdk:batch:submitJob"
# vCPUs by size, and GiB of memory per vCPU by family (EC2's published shapes).
SIZE_VCPUS = {
    "large": 2,
    "xlarge": 4,
    "2xlarge": 8,
    "4xlarge": 16,
    "8xlarge": 32,
    "12xlarge": 48,
    "16xlarge": 64,
    "24xlarge": 96,
}
GIB_PER_VCPU = {"c": 2, "m": 4, "r": 8, "g": 4, "p": 8}
MEMORY_SHARE = 0.9  # what the ECS agent and the OS leave to the container


@dataclass(frozen=True)
class JobSpec:
    name: str  # logical name
    image: str
    command: tuple[str, ...]
    instance_type: str
    spot: bool
    timeout: float  # seconds
    environment: Mapping[str, pulumi.Input[str]]


def resources(instance_type: str) -> list[dict[str, str]]:
    """The vCPUs, memory (MiB) and GPUs a job asks for to fill one instance."""
    family = domain.instance_family(instance_type)
    size = instance_type.removeprefix("ml.").split(".")[-1]
    vcpus = SIZE_VCPUS.get(size, 2)
    memory = int(vcpus * GIB_PER_VCPU.get(family[0], 4) * 1024 * MEMORY_SHARE)
    wanted = [{"type": "VCPU", "value": str(vcpus)}, {"type": "MEMORY", "value": str(memory)}]
    if domain.is_gpu_instance(instance_type):
        wanted.append({"type": "GPU", "value": "1"})
    return wanted


def job_definition(
    job: JobSpec, role_arn: pulumi.Input[str], tags: Mapping[str, str], opts: pulumi.ResourceOptions
) -> aws.batch.JobDefinition:
    names = sorted(job.environment)
    container = pulumi.Output.all(role_arn, *(job.environment[n] for n in names)).apply(
        lambda values: json.dumps(
            {
                "image": job.image,
                "command": list(job.command),
                "jobRoleArn": values[0],
                "resourceRequirements": resources(job.instance_type),
                "environment": [
                    {"name": n, "value": v} for n, v in zip(names, values[1:], strict=True)
                ],
            },
            sort_keys=True,
        )
    )
    on_exit = aws.batch.JobDefinitionRetryStrategyEvaluateOnExitArgs
    retry = aws.batch.JobDefinitionRetryStrategyArgs(
        attempts=SPOT_ATTEMPTS,
        evaluate_on_exits=[
            on_exit(on_status_reason=SPOT_RECLAIM_REASON, action="RETRY"),
            on_exit(on_reason="*", action="EXIT"),
        ],
    )
    return aws.batch.JobDefinition(
        job.name,
        type="container",
        platform_capabilities=["EC2"],
        container_properties=container,
        retry_strategy=retry if job.spot else None,
        timeout=aws.batch.JobDefinitionTimeoutArgs(attempt_duration_seconds=round(job.timeout)),
        propagate_tags=True,
        tags=dict(tags),
        opts=opts,
    )


def schedule(
    name: str,
    expression: str,
    timezone: str,
    job_name: str,
    queue_arn: pulumi.Input[str],
    definition: aws.batch.JobDefinition,
    role_arn: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
) -> aws.scheduler.Schedule:
    """Submit the job on `expression` (EventBridge's cron(...) or rate(...)), read in `timezone`."""
    submit = pulumi.Output.all(queue_arn, definition.arn).apply(
        lambda arns: json.dumps(
            {"JobName": job_name, "JobQueue": arns[0], "JobDefinition": arns[1]}, sort_keys=True
        )
    )
    return aws.scheduler.Schedule(
        name,
        schedule_expression=expression,
        schedule_expression_timezone=timezone,
        flexible_time_window=aws.scheduler.ScheduleFlexibleTimeWindowArgs(mode="OFF"),
        target=aws.scheduler.ScheduleTargetArgs(
            arn=SUBMIT_JOB,
            role_arn=role_arn,
            input=submit,
            retry_policy=aws.scheduler.ScheduleTargetRetryPolicyArgs(maximum_retry_attempts=3),
        ),
        opts=opts,
    )


def queue_for(
    instance_types: Sequence[str], cpu: pulumi.Input[str], gpu: pulumi.Input[str] | None
) -> pulumi.Input[str]:
    """The GPU queue when any of the job's instance types is a GPU one."""
    if any(domain.is_gpu_instance(t) for t in instance_types):
        if gpu is None:
            raise ValueError("a GPU job on a platform without a GPU queue")
        return gpu
    return cpu
