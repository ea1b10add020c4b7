"""The built-in price list: on-demand USD per hour, one table, with where it came from.

`prices:` in mlcp.yaml overrides any entry (or adds one): what an organisation
pays after discounts and in its own region is the figure a plan should use.
"""

from __future__ import annotations

from controlplane.domain import instance_family, is_gpu_instance

PRICES_SOURCE = (
    "AWS public on-demand prices, us-east-1, Linux, as listed on 2025-10-01: "
    "aws.amazon.com/sagemaker/pricing (real-time inference, ml.*), "
    "aws.amazon.com/ec2/pricing/on-demand (EC2, used by AWS Batch and training), "
    "aws.amazon.com/elasticache/pricing (cache.*), aws.amazon.com/s3/pricing (S3 Standard)"
)
PRICES_DATE = "2025-10-01"

ON_DEMAND: dict[str, float] = {
    # SageMaker real-time inference
    "ml.c5.large": 0.102,
    "ml.c5.xlarge": 0.204,
    "ml.c5.2xlarge": 0.408,
    "ml.c5.4xlarge": 0.816,
    "ml.c6i.large": 0.102,
    "ml.c6i.xlarge": 0.204,
    "ml.c6i.2xlarge": 0.408,
    "ml.m5.large": 0.115,
    "ml.m5.xlarge": 0.23,
    "ml.m5.2xlarge": 0.461,
    "ml.g4dn.xlarge": 0.736,
    "ml.g4dn.2xlarge": 1.053,
    "ml.g5.xlarge": 1.408,
    "ml.g5.2xlarge": 1.515,
    "ml.g5.4xlarge": 2.03,
    "ml.p3.2xlarge": 3.825,
    # EC2 (AWS Batch jobs and retraining)
    "c5.xlarge": 0.17,
    "c5.2xlarge": 0.34,
    "c6i.xlarge": 0.17,
    "c6i.2xlarge": 0.34,
    "c6i.4xlarge": 0.68,
    "c6i.8xlarge": 1.36,
    "m5.xlarge": 0.192,
    "m5.2xlarge": 0.384,
    "m5.4xlarge": 0.768,
    "m6i.xlarge": 0.192,
    "m6i.2xlarge": 0.384,
    "g4dn.xlarge": 0.526,
    "g5.xlarge": 1.006,
    "g5.2xlarge": 1.212,
    "g5.4xlarge": 1.624,
    "p3.2xlarge": 3.06,
    # ElastiCache nodes
    "cache.t4g.small": 0.032,
    "cache.t4g.medium": 0.065,
    "cache.m7g.large": 0.158,
    "cache.r7g.large": 0.219,
}
S3_GB_MONTH = 0.023  # S3 Standard, first 50 TB


def price_table(overrides: tuple[tuple[str, float], ...]) -> dict[str, float]:
    """The built-in list with mlcp.yaml's `prices:` laid over it."""
    return {**ON_DEMAND, **dict(overrides)}


def cpu_alternative(instance_type: str) -> str | None:
    """The compute-optimised CPU instance of the same size as a GPU instance, if sold as such.

    `ml.g5.xlarge` → `ml.c5.xlarge`, `g5.2xlarge` → `c6i.2xlarge`.
    """
    if not is_gpu_instance(instance_type):
        return None
    size = instance_type.rsplit(".", 1)[-1]
    family = instance_family(instance_type)
    prefix = instance_type[: instance_type.index(family)]
    return f"{prefix}{'c5' if prefix else 'c6i'}.{size}"
