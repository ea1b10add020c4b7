"""Platform: what every model of a stack shares, declared once.

An S3 bucket (artifacts, profiles, checkpoints, data capture, the DVC remote),
the IAM roles, the AWS Batch compute (spot first, on demand after it in each
queue) and the Amazon Managed Prometheus workspace with its Alertmanager
definition. Nothing gets a fixed physical name: Pulumi auto-names each resource
from its logical name, so a replacement never collides with the old one.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from controlplane.infra import batch_compute, policies
from controlplane.infra.tags import PLATFORM, SPEC_SHA
from controlplane.model import Config

COMPONENT = "mlcp:infra:Platform"


@dataclass(frozen=True)
class PlatformRefs:
    """What a model's resources read from the platform (outputs, or their offline values)."""

    bucket: pulumi.Input[str]
    sagemaker_role_arn: pulumi.Input[str]
    job_role_arn: pulumi.Input[str]
    scheduler_role_arn: pulumi.Input[str]
    cpu_queue_arn: pulumi.Input[str]
    gpu_queue_arn: pulumi.Input[str] | None
    workspace_id: pulumi.Input[str]


@dataclass(frozen=True)
class Compute:
    """The instance types the platform's Batch compute must offer."""

    cpu_types: tuple[str, ...]
    gpu_types: tuple[str, ...]


class Platform(pulumi.ComponentResource):
    refs: PlatformRefs

    def __init__(
        self,
        config: Config,
        compute: Compute,
        alertmanager: str,
        tags: Mapping[str, str],
        spec_sha: str,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(COMPONENT, PLATFORM, {"model": None, SPEC_SHA: spec_sha}, opts)
        child = pulumi.ResourceOptions(parent=self)
        self._tags = dict(tags)
        bucket = self._bucket(child)
        roles = self._roles(bucket, child)  # and the Batch instances' profile
        lanes = batch_compute.Lanes(config.network, self._instance_profile.arn, self._tags, child)
        cpu_queue = lanes.queue("cpu", compute.cpu_types, batch_compute.CPU_IMAGE)
        gpu_queue = (
            lanes.queue("gpu", compute.gpu_types, batch_compute.GPU_IMAGE)
            if compute.gpu_types
            else None
        )
        workspace = aws.amp.Workspace(
            f"{PLATFORM}-prometheus", alias=PLATFORM, tags=self._tags, opts=child
        )
        aws.amp.AlertManagerDefinition(
            f"{PLATFORM}-alertmanager",
            workspace_id=workspace.id,
            definition=amp_definition(alertmanager),
            opts=child,
        )
        self.refs = PlatformRefs(
            bucket=bucket.bucket,
            sagemaker_role_arn=roles["sagemaker"].arn,
            job_role_arn=roles["batch-job"].arn,
            scheduler_role_arn=roles["scheduler"].arn,
            cpu_queue_arn=cpu_queue.arn,
            gpu_queue_arn=gpu_queue.arn if gpu_queue else None,
            workspace_id=workspace.id,
        )
        self.register_outputs(
            {"bucket": bucket.bucket, "workspace_id": workspace.id, SPEC_SHA: spec_sha}
        )

    def _bucket(self, child: pulumi.ResourceOptions) -> aws.s3.Bucket:
        name = f"{PLATFORM}-artifacts"
        bucket = aws.s3.Bucket(name, tags=self._tags, opts=child)
        aws.s3.BucketVersioning(
            name,
            bucket=bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
                status="Enabled"
            ),
            opts=child,
        )
        by_default = (
            aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            name,
            bucket=bucket.id,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=by_default(sse_algorithm="aws:kms"),
                    bucket_key_enabled=True,
                )
            ],
            opts=child,
        )
        aws.s3.BucketPublicAccessBlock(
            name,
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        return bucket

    def _roles(
        self, bucket: aws.s3.Bucket, child: pulumi.ResourceOptions
    ) -> dict[str, aws.iam.Role]:
        roles: dict[str, aws.iam.Role] = {}
        for role in policies.ROLES:
            name = f"{PLATFORM}-{role.name}"
            roles[role.name] = aws.iam.Role(
                name,
                assume_role_policy=json.dumps(policies.trust(role.service)),
                description=role.description,
                tags=self._tags,
                opts=child,
            )
            if role.bucket_actions or role.actions:
                aws.iam.RolePolicy(
                    name,
                    role=roles[role.name].id,
                    policy=bucket.arn.apply(functools.partial(_permissions, role)),
                    opts=child,
                )
            for managed in role.managed:
                aws.iam.RolePolicyAttachment(
                    f"{name}-{managed.rsplit('/', 1)[-1]}",
                    role=roles[role.name].name,
                    policy_arn=managed,
                    opts=child,
                )
        self._instance_profile = aws.iam.InstanceProfile(
            f"{PLATFORM}-batch-instance",
            role=roles["batch-instance"].name,
            tags=self._tags,
            opts=child,
        )
        return roles


def _permissions(role: policies.Role, bucket_arn: str) -> str:
    return json.dumps(policies.permissions(role, bucket_arn))


def amp_definition(alertmanager: str) -> str:
    """Amazon Managed Prometheus takes the Alertmanager configuration as a block under
    `alertmanager_config` (a literal block keeps the generated text byte for byte)."""
    body = "".join(f"  {line}\n" if line else "\n" for line in alertmanager.splitlines())
    return f"alertmanager_config: |\n{body}"
