"""The SageMaker model of one variant and the CloudWatch alarm of one signal."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from controlplane.infra.alarms import EVALUATION, MODEL_NAMESPACE, PERIOD, SAGEMAKER, Alarm
from controlplane.infra.platform import PlatformRefs
from controlplane.model import Config, Model, ModelArtifact

Query = aws.cloudwatch.MetricAlarmMetricQueryArgs
QueryMetric = aws.cloudwatch.MetricAlarmMetricQueryMetricArgs


@dataclass(frozen=True)
class Variant:
    name: str
    artifact: ModelArtifact
    weight: int  # percent of production traffic; 0 for the shadow


def sagemaker_model(
    model: Model,
    variant: Variant,
    config: Config,
    refs: PlatformRefs,
    tags: Mapping[str, str],
    opts: pulumi.ResourceOptions,
) -> aws.sagemaker.Model:
    network = config.network
    return aws.sagemaker.Model(
        f"{model.name}-{variant.name}",
        execution_role_arn=refs.sagemaker_role_arn,
        primary_container=aws.sagemaker.ModelPrimaryContainerArgs(
            image=variant.artifact.image,
            model_data_url=variant.artifact.model_data,
            environment={"MLCP_MODEL": model.name, "MLCP_MODEL_VERSION": variant.artifact.version},
        ),
        vpc_config=aws.sagemaker.ModelVpcConfigArgs(
            subnets=list(network.subnet_ids), security_group_ids=list(network.security_group_ids)
        )
        if network.subnet_ids
        else None,
        tags={**tags, "mlcp:version": variant.artifact.version},
        opts=opts,
    )


def metric_alarm(
    model: Model, alarm: Alarm, variant: str, tags: Mapping[str, str], opts: pulumi.ResourceOptions
) -> aws.cloudwatch.MetricAlarm:
    """The alarm of one signal; SageMaker's metrics are those of the variant under watch."""
    dimensions = {"EndpointName": model.name, "VariantName": variant}
    sagemaker = alarm.kind != "model_metric"
    ratio = alarm.kind == "errors"  # 5XX errors over invocations: a metric math query
    return aws.cloudwatch.MetricAlarm(
        f"{model.name}-{alarm.slug}",
        alarm_description=alarm.description,
        comparison_operator=alarm.comparison,
        threshold=alarm.threshold,
        evaluation_periods=EVALUATION if sagemaker else 1,
        treat_missing_data="notBreaching",
        namespace=None if ratio else (SAGEMAKER if sagemaker else MODEL_NAMESPACE),
        metric_name=None if ratio else ("ModelLatency" if sagemaker else alarm.signal),
        extended_statistic=alarm.statistic if alarm.kind == "latency" else None,
        statistic=alarm.statistic if alarm.kind == "model_metric" else None,
        period=None if ratio else (PERIOD if sagemaker else PERIOD * EVALUATION),
        dimensions=None if ratio else (dimensions if sagemaker else {"model": model.name}),
        metric_queries=[
            _sum("errors", "Invocation5XXErrors", dimensions),
            _sum("invocations", "Invocations", dimensions),
            Query(
                id="ratio", expression="errors / invocations", label="5XX share", return_data=True
            ),
        ]
        if ratio
        else None,
        tags=dict(tags),
        opts=opts,
    )


def _sum(query_id: str, metric: str, dimensions: Mapping[str, str]) -> Query:
    return Query(
        id=query_id,
        return_data=False,
        metric=QueryMetric(
            namespace=SAGEMAKER,
            metric_name=metric,
            stat="Sum",
            period=PERIOD,
            dimensions=dict(dimensions),
        ),
    )
