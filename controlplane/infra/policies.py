"""The platform's IAM roles: who may assume each one, and the least it needs.

Plain data (policy documents as dicts): the platform serializes them, the tests read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Document = dict[str, Any]


@dataclass(frozen=True)
class Role:
    name: str
    service: str  # the AWS service that assumes it
    description: str
    bucket_actions: tuple[str, ...]  # on the platform bucket and its objects
    actions: tuple[str, ...] = ()  # on any resource (ECR pulls, metrics, logs, job submission)
    managed: tuple[str, ...] = ()  # AWS managed policies, where AWS defines the least


_READ = ("s3:GetObject", "s3:ListBucket")
_WRITE = (*_READ, "s3:PutObject", "s3:DeleteObject")
_PULL = (
    "ecr:GetAuthorizationToken",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
    "logs:CreateLogGroup",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "cloudwatch:PutMetricData",
)

ROLES: tuple[Role, ...] = (
    Role(
        "sagemaker",
        "sagemaker.amazonaws.com",
        "SageMaker endpoints: read model data, write data capture",
        _WRITE,
        _PULL,
    ),
    Role(
        "batch-job",
        "ecs-tasks.amazonaws.com",
        "Batch jobs: read inputs, write outputs and checkpoints",
        _WRITE,
        _PULL,
    ),
    Role(
        "batch-instance",
        "ec2.amazonaws.com",
        "Batch container instances",
        (),
        managed=("arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role",),
    ),
    Role(
        "scheduler",
        "scheduler.amazonaws.com",
        "EventBridge Scheduler: submit the scheduled Batch jobs",
        (),
        ("batch:SubmitJob", "batch:TagResource"),
    ),
)


def trust(service: str) -> Document:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
        ],
    }


def permissions(role: Role, bucket_arn: str) -> Document:
    statements: list[dict[str, Any]] = []
    if role.bucket_actions:
        statements.append(
            {
                "Effect": "Allow",
                "Action": list(role.bucket_actions),
                "Resource": [bucket_arn, f"{bucket_arn}/*"],
            }
        )
    if role.actions:
        statements.append({"Effect": "Allow", "Action": list(role.actions), "Resource": "*"})
    return {"Version": "2012-10-17", "Statement": statements}
