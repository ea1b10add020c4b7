"""BatchInference: a batch model as an AWS Batch job on spot, submitted on its schedule.

The job finds its checkpoint prefix and interval in its environment
(MLCP_CHECKPOINT_URI, MLCP_CHECKPOINT_EVERY, read by `controlplane.batch`), so a
reclaimed instance's retry resumes where the last checkpoint left off.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

from controlplane.infra import jobs
from controlplane.infra.platform import PlatformRefs
from controlplane.model import Config, Model

COMPONENT = "mlcp:infra:BatchInference"
TIMEOUT = 12 * 3600  # seconds per attempt: a night's run, with room for retries after a reclaim


def checkpoint_uri(refs: PlatformRefs, model: Model) -> pulumi.Output[str]:
    return pulumi.Output.concat("s3://", refs.bucket, f"/checkpoints/{model.name}/")


class BatchInference(pulumi.ComponentResource):
    def __init__(
        self,
        model: Model,
        config: Config,
        refs: PlatformRefs,
        tags: Mapping[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(COMPONENT, f"{model.name}-batch", {"model": model.name}, opts)
        child = pulumi.ResourceOptions(parent=self)
        serving = model.serving
        environment: dict[str, pulumi.Input[str]] = {
            "MLCP_MODEL": model.name,
            "MLCP_MODEL_VERSION": serving.artifact.version,
            "MLCP_MODEL_DATA": serving.artifact.model_data,
            "MLCP_CHECKPOINT_URI": checkpoint_uri(refs, model),
        }
        if serving.checkpoint_every is not None:
            environment["MLCP_CHECKPOINT_EVERY"] = str(round(serving.checkpoint_every))
        job = jobs.JobSpec(
            name=f"{model.name}-batch",
            image=serving.artifact.image,
            command=(),
            instance_type=serving.instance_type,
            spot=serving.spot,
            timeout=TIMEOUT,
            environment=environment,
        )
        definition = jobs.job_definition(job, refs.job_role_arn, tags, child)
        queue = jobs.queue_for([serving.instance_type], refs.cpu_queue_arn, refs.gpu_queue_arn)
        if serving.eventbridge_schedule is not None:
            jobs.schedule(
                f"{model.name}-batch",
                serving.eventbridge_schedule,
                config.schedule_timezone,
                f"{model.name}-batch",
                queue,
                definition,
                refs.scheduler_role_arn,
                child,
            )
        self.register_outputs({"job_definition": definition.arn})
