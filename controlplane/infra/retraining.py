"""Retraining: `mlcp retrain NAME` as a Batch job (on spot when asked), on the cadence."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

from controlplane.infra import jobs
from controlplane.infra.platform import PlatformRefs
from controlplane.model import Config, Model

COMPONENT = "mlcp:infra:Retraining"


class Retraining(pulumi.ComponentResource):
    def __init__(
        self,
        model: Model,
        config: Config,
        refs: PlatformRefs,
        tags: Mapping[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(COMPONENT, f"{model.name}-retraining", {"model": model.name}, opts)
        retraining = model.retraining
        if retraining is None:
            raise ValueError(f"{model.name} declares no retraining")
        child = pulumi.ResourceOptions(parent=self)
        job = jobs.JobSpec(
            name=f"{model.name}-retraining",
            # The model's image carries its training entrypoint and mlcp.
            image=model.serving.artifact.image,
            command=("mlcp", "retrain", model.name),
            instance_type=retraining.instance_type,
            spot=retraining.spot,
            timeout=retraining.max_runtime,
            environment={
                "MLCP_MODEL": model.name,
                "MLCP_ARTIFACTS_URI": pulumi.Output.concat(
                    "s3://", refs.bucket, f"/models/{model.name}/"
                ),
            },
        )
        definition = jobs.job_definition(job, refs.job_role_arn, tags, child)
        queue = jobs.queue_for([retraining.instance_type], refs.cpu_queue_arn, refs.gpu_queue_arn)
        jobs.schedule(
            f"{model.name}-retraining",
            retraining.schedule,
            config.schedule_timezone,
            f"{model.name}-retraining",
            queue,
            definition,
            refs.scheduler_role_arn,
            child,
        )
        self.register_outputs({"job_definition": definition.arn})
