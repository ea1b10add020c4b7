"""ModelEndpoint: a realtime model on SageMaker, its configuration following `rollout.state`.

`stable`: the stable variant alone. `shadow`: the stable variant in production and
the candidate as a shadow variant, with data capture to S3 (AWS allows a shadow
only beside a single production variant). `canary-N`: both in production,
weighted 100-N / N. `full`: the candidate alone. The configuration is auto-named,
so a new state is a new configuration; the endpoint keeps its name and moves to
it by a blue/green update that rolls back on the alarms of `rollback_on`.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_aws as aws

from controlplane.infra.alarms import endpoint_alarms
from controlplane.infra.cache import redis_cache
from controlplane.infra.platform import PlatformRefs
from controlplane.infra.sagemaker import Variant, metric_alarm, sagemaker_model
from controlplane.infra.tags import CANDIDATE, STABLE
from controlplane.model import Config, Model

COMPONENT = "mlcp:infra:ModelEndpoint"
CAPTURE_PERCENT = 100  # of shadowed requests; the divergence is measured on all of them
# SageMaker's blue/green limits: a wait of at most an hour, a deployment of at most four.
MAX_WAIT, MIN_EXECUTION, MAX_EXECUTION = 3600, 600, 14400
ProductionVariant = aws.sagemaker.EndpointConfigurationProductionVariantArgs
ShadowVariant = aws.sagemaker.EndpointConfigurationShadowProductionVariantArgs


def variants(model: Model) -> tuple[list[Variant], list[Variant]]:
    """The production and shadow variants of the model's rollout state."""
    stable, candidate = model.serving.artifact, model.rollout.candidate
    state = model.rollout.record
    if not state.candidate_runs:
        return [Variant(STABLE, stable, 100)], []
    if candidate is None:  # the checker refuses a rollout state without a candidate
        raise ValueError(f"{model.name}: rollout state {state.name} without a candidate")
    if state.mirrored:
        return [Variant(STABLE, stable, 100)], [Variant(CANDIDATE, candidate, 0)]
    if not state.beside_stable:
        return [Variant(CANDIDATE, candidate, 100)], []
    weight = state.weight
    return [Variant(STABLE, stable, 100 - weight), Variant(CANDIDATE, candidate, weight)], []


class ModelEndpoint(pulumi.ComponentResource):
    def __init__(
        self,
        model: Model,
        config: Config,
        refs: PlatformRefs,
        tags: Mapping[str, str],
        cache_auth_token: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(COMPONENT, f"{model.name}-endpoint", {"model": model.name}, opts)
        child = pulumi.ResourceOptions(parent=self)
        self._model, self._tags, self._child = model, dict(tags), child
        production, shadow = variants(model)
        models = {
            v.name: sagemaker_model(model, v, config, refs, self._tags, child)
            for v in [*production, *shadow]
        }
        endpoint_config = self._configuration(production, shadow, models, refs)
        watched = CANDIDATE if CANDIDATE in {v.name for v in production} else STABLE
        alarms = {
            a.signal: metric_alarm(model, a, watched, self._tags, child)
            for a in endpoint_alarms(model)
        }
        # In the order rollback_on lists them; every one has an alarm (endpoint_alarms).
        rollback = [alarms[s] for s in model.rollout.rollback_on if s in alarms]
        # The one fixed name: the alarms that guard its updates must name it before it
        # exists, and callers address it. Only a new name replaces an endpoint, so this
        # name never blocks a replacement.
        self.endpoint = aws.sagemaker.Endpoint(
            model.name,
            name=model.name,
            endpoint_config_name=endpoint_config.name,
            deployment_config=self._deployment(rollback),
            tags=self._tags,
            opts=child,
        )
        for variant in production:
            self._autoscaling(variant.name)
        redis_cache(model, config, self._tags, cache_auth_token, child)
        self.register_outputs({"endpoint_name": self.endpoint.name})

    def _configuration(
        self,
        production: list[Variant],
        shadow: list[Variant],
        models: Mapping[str, aws.sagemaker.Model],
        refs: PlatformRefs,
    ) -> aws.sagemaker.EndpointConfiguration:
        serving = self._model.serving
        capture = None
        if shadow:
            capture = aws.sagemaker.EndpointConfigurationDataCaptureConfigArgs(
                enable_capture=True,
                initial_sampling_percentage=CAPTURE_PERCENT,
                destination_s3_uri=pulumi.Output.concat(
                    "s3://", refs.bucket, f"/data-capture/{self._model.name}"
                ),
                capture_options=[
                    aws.sagemaker.EndpointConfigurationDataCaptureConfigCaptureOptionArgs(
                        capture_mode=mode
                    )
                    for mode in ("Input", "Output")
                ],
            )
        return aws.sagemaker.EndpointConfiguration(
            f"{self._model.name}-config",
            production_variants=[
                ProductionVariant(
                    variant_name=v.name,
                    model_name=models[v.name].name,
                    initial_variant_weight=v.weight,
                    instance_type=serving.instance_type,
                    initial_instance_count=serving.instances_min,
                )
                for v in production
            ],
            shadow_production_variants=[
                ShadowVariant(
                    variant_name=v.name,
                    model_name=models[v.name].name,
                    initial_variant_weight=100,  # mirror every request
                    instance_type=serving.instance_type,
                    initial_instance_count=serving.instances_min,
                )
                for v in shadow
            ]
            or None,
            data_capture_config=capture,
            tags=self._tags,
            opts=self._child,
        )

    def _deployment(
        self, alarms: list[aws.cloudwatch.MetricAlarm]
    ) -> aws.sagemaker.EndpointDeploymentConfigArgs:
        bake = round(self._model.rollout.bake_time)
        wait = min(bake, MAX_WAIT)
        policy = aws.sagemaker.EndpointDeploymentConfigBlueGreenUpdatePolicyArgs
        routing = aws.sagemaker.EndpointDeploymentConfigBlueGreenUpdatePolicyTrafficRoutingConfigurationArgs
        rollback = aws.sagemaker.EndpointDeploymentConfigAutoRollbackConfigurationArgs
        alarm = aws.sagemaker.EndpointDeploymentConfigAutoRollbackConfigurationAlarmArgs
        return aws.sagemaker.EndpointDeploymentConfigArgs(
            blue_green_update_policy=policy(
                traffic_routing_configuration=routing(
                    type="ALL_AT_ONCE", wait_interval_in_seconds=wait
                ),
                termination_wait_in_seconds=wait,
                maximum_execution_timeout_in_seconds=max(
                    MIN_EXECUTION, min(bake + wait, MAX_EXECUTION)
                ),
            ),
            auto_rollback_configuration=rollback(alarms=[alarm(alarm_name=a.name) for a in alarms])
            if alarms
            else None,
        )

    def _autoscaling(self, variant: str) -> None:
        serving = self._model.serving
        name = f"{self._model.name}-{variant}"
        resource_id = pulumi.Output.concat("endpoint/", self.endpoint.name, f"/variant/{variant}")
        target = aws.appautoscaling.Target(
            name,
            service_namespace="sagemaker",
            scalable_dimension="sagemaker:variant:DesiredInstanceCount",
            resource_id=resource_id,
            min_capacity=serving.instances_min,
            max_capacity=serving.instances_max,
            tags=self._tags,
            opts=self._child,
        )
        metric = aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs
        aws.appautoscaling.Policy(
            name,
            policy_type="TargetTrackingScaling",
            service_namespace=target.service_namespace,
            scalable_dimension=target.scalable_dimension,
            resource_id=target.resource_id,
            target_tracking_scaling_policy_configuration=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                target_value=serving.target_invocations_per_instance,
                predefined_metric_specification=metric(
                    predefined_metric_type="SageMakerVariantInvocationsPerInstance"
                ),
            ),
            opts=self._child,
        )
