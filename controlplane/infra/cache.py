"""The Redis cache in front of a realtime model (`serving.cache`): ElastiCache, encrypted."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_aws as aws

from controlplane.model import Config, Model

REPLICAS = 2  # a primary and a replica in another zone, so a failover keeps the cache


def redis_cache(
    model: Model,
    config: Config,
    tags: Mapping[str, str],
    auth_token: pulumi.Input[str] | None,
    opts: pulumi.ResourceOptions,
) -> aws.elasticache.ReplicationGroup | None:
    cache = model.serving.cache
    if cache is None:
        return None
    name = f"{model.name}-cache"
    subnets = aws.elasticache.SubnetGroup(
        name,
        description=f"{model.name} cache subnets",
        subnet_ids=list(config.network.subnet_ids),
        tags=dict(tags),
        opts=opts,
    )
    return aws.elasticache.ReplicationGroup(
        name,
        description=f"{model.name} response cache (ttl {cache.ttl:g}s)",
        engine="redis",
        node_type=cache.node_type,
        num_cache_clusters=REPLICAS,
        automatic_failover_enabled=True,
        multi_az_enabled=True,
        at_rest_encryption_enabled=True,
        transit_encryption_enabled=True,
        auth_token=auth_token,
        subnet_group_name=subnets.name,
        security_group_ids=list(config.network.security_group_ids),
        tags=dict(tags),
        opts=opts,
    )
