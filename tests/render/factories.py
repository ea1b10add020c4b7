"""Normalized models and configs for renderer tests, built directly (no spec files)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from controlplane.model import (
    Config,
    Drift,
    Feature,
    Latency,
    Model,
    ModelArtifact,
    Network,
    OnCall,
    Proxy,
    PsiThreshold,
    Quality,
    QualityMetric,
    Rollout,
    Serving,
    Sla,
    TaskType,
)

HOUR, DAY = 3600.0, 86400.0
PSI = PsiThreshold(warn=0.1, critical=0.25)


def config(**changes: Any) -> Config:
    base = Config(
        source="specs/mlcp.yaml",
        region="eu-west-1",
        network=Network(vpc_id=None, subnet_ids=(), security_group_ids=()),
        pagerduty_service_prefix="ml-",
        default_escalation_policy="ML Platform",
        pagerduty_routing_key_dir="/etc/alertmanager/secrets/pagerduty",
        runbook_base_url="https://example.com/runbooks",
        output_dir="build",
        prices=(),
    )
    return replace(base, **changes)


def features(numeric: int, categorical: int) -> tuple[Feature, ...]:
    return (
        *(Feature(f"num_{i:03d}", "numeric", PSI) for i in range(numeric)),
        *(Feature(f"cat_{i:03d}", "categorical", PSI) for i in range(categorical)),
    )


def quality(task: TaskType) -> Quality:
    metrics = {
        "classification": (
            QualityMetric("recall", 0.8, None, DAY, False),
            QualityMetric("false_negative_rate", None, 0.05, 4 * HOUR, True),
        ),
        "regression": (
            QualityMetric("mae", None, 10.0, DAY, False),
            QualityMetric("r2", 0.6, None, DAY, True),
        ),
        "ranking": (QualityMetric("ndcg", 0.3, 0.99, DAY, False),),
    }[task]
    proxy = Proxy("ctr", "clicks_total", "impressions_total", 0.02, None, 6 * HOUR, True)
    return Quality(label_delay=HOUR, metrics=metrics, proxies=(proxy,))


def model(name: str = "toy-model", **changes: Any) -> Model:
    artifact = ModelArtifact("1.0.0", "registry/toy:1.0.0", "s3://bucket/toy.tar.gz")
    task: TaskType = changes.pop("task", "classification")
    base = Model(
        name=name,
        source=f"specs/{name}.yaml",
        team="toy-team",
        owners=("@acme/toy",),
        tier="standard",
        domain="other",
        description="A toy model for tests.",
        task=task,
        serving=Serving(
            mode="realtime",
            instance_type="ml.c5.xlarge",
            gpu=False,
            instances_min=1,
            instances_max=2,
            target_invocations_per_instance=100,
            batching=None,
            cache=None,
            quantization="none",
            artifact=artifact,
            schedule=None,
            spot=False,
            checkpoint_every=None,
        ),
        sla=Sla(Latency(0.03, None, 0.15), error_rate=0.01, availability=0.99, min_throughput=None),
        profile=None,
        features=features(2, 1),
        drift=Drift(
            psi=PSI,
            bins=10,
            windows=(HOUR, DAY, 7 * DAY),
            null_max_ratio_to_training=2.0,
            null_min_rate=0.01,
            out_of_range_max_rate=0.01,
            unseen_max_rate=0.005,
            volume_max_drop=0.3,
            volume_compare_to=7 * DAY,
        ),
        quality=quality(task),
        retraining=None,
        rollout=Rollout(None, (5, 25, 100), HOUR, (), None, "stable"),
        fallback=None,
        oncall=OnCall("Toy", "high", "#toy"),
        monthly_budget=None,
    )
    return replace(base, **changes)


# Free text that YAML, PromQL and Go templates would each like to interpret.
NASTY = 'ops: "core" {{ $value }} {{- end }}\n  - not: a list'


def nasty_model() -> Model:
    return model("nasty-model", team=NASTY, description=NASTY + "\nsecond line: {{ .Foo }}")
