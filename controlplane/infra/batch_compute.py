"""The platform's AWS Batch queues: spot compute first, on-demand compute after it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from controlplane.infra.tags import PLATFORM
from controlplane.model import Network

SPOT_STRATEGY = "SPOT_PRICE_CAPACITY_OPTIMIZED"
ON_DEMAND_STRATEGY = "BEST_FIT_PROGRESSIVE"
CPU_IMAGE, GPU_IMAGE = "ECS_AL2023", "ECS_AL2_NVIDIA"
MAX_VCPUS = 256
# Batch tries a queue's compute environments in this order.
LANES = ("spot", "on-demand")


@dataclass(frozen=True)
class Lanes:
    network: Network
    instance_profile_arn: pulumi.Input[str]
    tags: Mapping[str, str]
    opts: pulumi.ResourceOptions

    def queue(
        self, kind: str, instance_types: Sequence[str], image_type: str
    ) -> aws.batch.JobQueue:
        environments = [self._environment(kind, lane, instance_types, image_type) for lane in LANES]
        return aws.batch.JobQueue(
            f"{PLATFORM}-{kind}",
            priority=1,
            state="ENABLED",
            compute_environment_orders=[
                aws.batch.JobQueueComputeEnvironmentOrderArgs(
                    compute_environment=env.arn, order=order
                )
                for order, env in enumerate(environments, start=1)
            ],
            tags=dict(self.tags),
            opts=self.opts,
        )

    def _environment(
        self, kind: str, lane: str, instance_types: Sequence[str], image_type: str
    ) -> aws.batch.ComputeEnvironment:
        spot = lane == "spot"
        return aws.batch.ComputeEnvironment(
            f"{PLATFORM}-{kind}-{lane}",
            type="MANAGED",
            compute_resources=aws.batch.ComputeEnvironmentComputeResourcesArgs(
                type="SPOT" if spot else "EC2",
                allocation_strategy=SPOT_STRATEGY if spot else ON_DEMAND_STRATEGY,
                instance_types=list(instance_types),
                min_vcpus=0,
                max_vcpus=MAX_VCPUS,
                subnets=list(self.network.subnet_ids),
                security_group_ids=list(self.network.security_group_ids),
                instance_role=self.instance_profile_arn,
                ec2_configurations=[
                    aws.batch.ComputeEnvironmentComputeResourcesEc2ConfigurationArgs(
                        image_type=image_type
                    )
                ],
                tags=dict(self.tags),
            ),
            tags=dict(self.tags),
            opts=self.opts,
        )
