"""Spec v1 (as written) to the normalized Model (as the rest of the code wants it)."""

from __future__ import annotations

from controlplane import model as m
from controlplane.domain import DEFAULT_URGENCY, LATENCY_QUANTILES, is_gpu_instance
from controlplane.spec import v1
from controlplane.spec.check import default_rollback_on
from controlplane.spec.config import ConfigSpec
from controlplane.spec.types import _Unit
from controlplane.units import cadence_schedule


def _artifact(ref: v1.ArtifactRef) -> m.ModelArtifact:
    return m.ModelArtifact(version=ref.version, image=ref.image, model_data=ref.model_data)


def _serving(s: v1.Serving) -> m.Serving:
    return m.Serving(
        mode=s.mode,
        instance_type=s.instance_type,
        gpu=is_gpu_instance(s.instance_type),
        instances_min=s.instances.min,
        instances_max=s.instances.max,
        target_invocations_per_instance=s.target_invocations_per_instance,
        batching=m.Batching(s.batching.max_batch_size, s.batching.max_delay.value)
        if s.batching
        else None,
        cache=m.Cache(s.cache.backend, s.cache.ttl.value, s.cache.node_type) if s.cache else None,
        quantization=s.optimization.quantization,
        artifact=_artifact(s.artifact),
        schedule=s.schedule,
        spot=s.spot,
        checkpoint_every=s.checkpoint.every.value if s.checkpoint else None,
    )


def _features(spec: v1.ModelSpec) -> tuple[m.Feature, ...]:
    base = spec.drift.psi
    out = []
    for kind, names in (
        ("numeric", spec.features.numeric),
        ("categorical", spec.features.categorical),
    ):
        for name in names:
            override = spec.features.overrides.get(name, v1.FeatureOverride()).psi
            psi = m.PsiThreshold(
                warn=override.warn if override.warn is not None else base.warn,
                critical=override.critical if override.critical is not None else base.critical,
            )
            out.append(m.Feature(name=name, kind=kind, psi=psi))  # type: ignore[arg-type]
    return tuple(out)


def _drift(d: v1.Drift) -> m.Drift:
    return m.Drift(
        psi=m.PsiThreshold(d.psi.warn, d.psi.critical),
        bins=d.psi.bins,
        windows=tuple(sorted({w.value for w in d.windows})),
        null_max_ratio_to_training=d.null_rate.max_ratio_to_training,
        null_min_rate=d.null_rate.min_rate.value,
        out_of_range_max_rate=d.out_of_range.max_rate.value,
        unseen_max_rate=d.unseen_categories.max_rate.value,
        volume_max_drop=d.volume.max_drop.value,
        volume_compare_to=d.volume.compare_to.value,
    )


def _bound(value: _Unit | None) -> float | None:
    return value.value if value is not None else None


def _quality(q: v1.Quality) -> m.Quality:
    return m.Quality(
        label_delay=q.labels.delay.value,
        metrics=tuple(
            m.QualityMetric(x.name, _bound(x.min), _bound(x.max), x.window.value, x.broken)
            for x in q.metrics
        ),
        proxies=tuple(
            m.Proxy(
                name=p.name,
                numerator=p.numerator,
                denominator=p.denominator or "mlcp_predictions_total",
                min=_bound(p.min),
                max=_bound(p.max),
                window=p.window.value,
                broken=p.broken,
            )
            for p in q.proxies
        ),
    )


def _param(name: str, p: v1.SearchParam) -> m.SearchParam:
    if p.choices is not None:
        return m.SearchParam(name, "categorical", None, None, False, tuple(p.choices))
    kind = "int" if p.int_ is not None else "float"
    low, high = (p.int_ or p.float_ or [0, 0])[:2]
    return m.SearchParam(name, kind, float(low), float(high), p.log, ())  # type: ignore[arg-type]


def _retraining(r: v1.Retraining | None) -> m.Retraining | None:
    if r is None:
        return None
    return m.Retraining(
        cadence=r.cadence,
        schedule=cadence_schedule(r.cadence),
        data_source=r.data.source,
        data_window=r.data.window.value,
        min_rows=r.data.min_rows,
        entrypoint=r.entrypoint,
        tuning_trials=r.tuning.trials,
        tuning_timeout=r.tuning.timeout.value,
        search_space=tuple(_param(n, p) for n, p in sorted(r.tuning.space.items())),
        instance_type=r.compute.instance_type,
        gpu=is_gpu_instance(r.compute.instance_type),
        spot=r.compute.spot,
        max_runtime=r.compute.max_runtime.value,
        gate=m.Gate(r.gate.metric, r.gate.min_improvement.value, r.gate.alpha),
    )


def _rollout(spec: v1.ModelSpec) -> m.Rollout:
    r = spec.rollout
    rollback_on = r.rollback_on if r.rollback_on is not None else default_rollback_on(spec)
    shadow = m.Shadow(r.shadow.duration.value, r.shadow.max_divergence.value) if r.shadow else None
    return m.Rollout(
        shadow=shadow,
        stages=tuple(r.stages),
        bake_time=r.bake_time.value,
        rollback_on=tuple(rollback_on),
        candidate=_artifact(r.candidate) if r.candidate else None,
        state=r.state,
        since=r.since.value if r.since else None,
    )


def to_model(
    spec: v1.ModelSpec, source: str, config: ConfigSpec, *, spec_sha256: str = ""
) -> m.Model:
    """Only called on a spec that passed every error-level check."""
    meta, sla = spec.metadata, spec.sla
    return m.Model(
        name=meta.name,
        source=source,
        team=meta.team,
        owners=tuple(meta.owners),
        tier=meta.tier,
        domain=meta.domain,
        description=meta.description,
        task=spec.task.type,
        serving=_serving(spec.serving),
        sla=m.Sla(
            latency=m.Latency(*(_bound(getattr(sla.latency, p)) for p in LATENCY_QUANTILES)),
            error_rate=_bound(sla.error_rate),
            availability=_bound(sla.availability),
            min_throughput=sla.min_throughput.value if sla.min_throughput else None,
        ),
        profile=spec.features.profile,
        features=_features(spec),
        drift=_drift(spec.drift),
        quality=_quality(spec.quality),
        retraining=_retraining(spec.retraining),
        rollout=_rollout(spec),
        fallback=m.Fallback(spec.fallback.strategy, spec.fallback.recovery.value)
        if spec.fallback
        else None,
        oncall=m.OnCall(
            escalation_policy=spec.oncall.escalation_policy
            or config.pagerduty.default_escalation_policy,
            urgency=spec.oncall.urgency or DEFAULT_URGENCY[spec.metadata.tier],
            slack=spec.oncall.slack,
        ),
        monthly_budget=spec.cost.monthly_budget,
        spec_sha256=spec_sha256,
    )


def to_config(spec: ConfigSpec, source: str | None) -> m.Config:
    return m.Config(
        source=source,
        region=spec.aws.region,
        network=m.Network(
            spec.aws.vpc_id, tuple(spec.aws.subnet_ids), tuple(spec.aws.security_group_ids)
        ),
        pagerduty_service_prefix=spec.pagerduty.service_prefix,
        default_escalation_policy=spec.pagerduty.default_escalation_policy,
        pagerduty_routing_key_dir=_key_folder(spec),
        runbook_base_url=spec.runbooks.base_url,
        output_dir=spec.build.out,
        prices=tuple(sorted(spec.prices.items())),
        pulumi=m.PulumiSettings(
            backend=spec.pulumi.backend,
            stack=spec.pulumi.stack,
            secrets_provider=spec.pulumi.secrets_provider,
            secrets=tuple(sorted(spec.pulumi.secrets.items())),
        ),
        platform_owners=tuple(spec.platform_owners),
        spot_discount=spec.cost.spot_discount.value,
        schedule_timezone=spec.aws.schedule_timezone,
        routing_key_store=_key_store(spec),
    )


def _key_folder(spec: ConfigSpec) -> str:
    """The folder Alertmanager reads the routing key files from: the file store's `dir`, the
    secret store's `mount`, else `pagerduty.routing_key_dir` (as before `routing_keys`)."""
    keys = spec.pagerduty.routing_keys
    if keys is None:
        return spec.pagerduty.routing_key_dir
    folder = keys.dir if keys.store == "file" else keys.mount
    return folder or spec.pagerduty.routing_key_dir


def _key_store(spec: ConfigSpec) -> m.KeyStore:
    keys = spec.pagerduty.routing_keys
    if keys is None or keys.store == "file":
        return m.KeyStore()
    return m.KeyStore(keys.store, keys.prefix or m.DEFAULT_SECRET_PREFIX, keys.kms_key_id)
