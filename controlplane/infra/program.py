"""The Pulumi program: the platform once, then every model's resources under its own component.

`infra/__main__.py` calls `declare` in a real `pulumi up`; the offline preview calls
the same functions under Pulumi's mocks.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pulumi
import pulumi_aws as aws

from controlplane import domain
from controlplane.diagnostics import format_diagnostics
from controlplane.errors import MlcpError
from controlplane.infra.batch_inference import BatchInference
from controlplane.infra.endpoint import ModelEndpoint
from controlplane.infra.platform import Compute, Platform, PlatformRefs
from controlplane.infra.retraining import Retraining
from controlplane.infra.tags import (
    SPEC_SHA,
    model_tags,
    platform_spec_sha,
    platform_tags,
    spec_sha,
)
from controlplane.model import Config, Model
from controlplane.render.monitoring.alertmanager import render_alertmanager
from controlplane.render.monitoring.rulefile import model_rules, render_rules

COMPONENT = "mlcp:infra:Model"
# The platform's queues need one instance type at least; Batch's own choice when no job asks.
ANY_INSTANCE = "optimal"
CACHE_TOKEN_SECRET = "cacheAuthToken"  # `pulumi config set --secret mlcp:cacheAuthToken ...`


class MlModel(pulumi.ComponentResource):
    """One model: how it serves, how it retrains, the rules that watch it."""

    def __init__(
        self,
        model: Model,
        config: Config,
        refs: PlatformRefs,
        cache_auth_token: pulumi.Input[str] | None = None,
    ) -> None:
        sha = spec_sha(model)
        super().__init__(COMPONENT, model.name, {"model": model.name, SPEC_SHA: sha})
        tags = model_tags(model)
        child = pulumi.ResourceOptions(parent=self)
        if model.serving.mode == "realtime":
            ModelEndpoint(model, config, refs, tags, cache_auth_token, child)
        else:
            BatchInference(model, config, refs, tags, child)
        if model.retraining is not None:
            Retraining(model, config, refs, tags, child)
        aws.amp.RuleGroupNamespace(
            f"{model.name}-rules",
            workspace_id=refs.workspace_id,
            data=render_rules(model_rules(model), config),
            tags=tags,
            opts=child,
        )
        self.register_outputs({SPEC_SHA: sha})


def compute_needs(models: Sequence[Model]) -> Compute:
    """The instance types of every Batch job: batch serving and retraining."""
    wanted = {m.serving.instance_type for m in models if m.serving.mode == "batch"}
    wanted |= {m.retraining.instance_type for m in models if m.retraining is not None}
    gpu = tuple(sorted(t for t in wanted if domain.is_gpu_instance(t)))
    cpu = tuple(sorted(t for t in wanted if not domain.is_gpu_instance(t))) or (ANY_INSTANCE,)
    return Compute(cpu, gpu)


def declare_platform(models: Sequence[Model], config: Config) -> Platform:
    alertmanager = render_alertmanager(models, config)
    sha = platform_spec_sha(spec_sha(m) for m in models)
    return Platform(config, compute_needs(models), alertmanager, platform_tags(), sha)


def declare(models: Sequence[Model], config: Config) -> Platform:
    """Declare the platform and every model's resources in the running Pulumi program."""
    ordered = sorted(models, key=lambda m: m.name)
    platform = declare_platform(ordered, config)
    token = pulumi.Config("mlcp").get_secret(CACHE_TOKEN_SECRET)
    for model in ordered:
        MlModel(model, config, platform.refs, token)
    return platform


class SpecsDoNotCompile(MlcpError):
    """The program declares nothing from specs with errors."""


def load_and_declare(specs: Path) -> Platform:
    """Compile the specs folder and declare what it describes (infra/__main__.py)."""
    from controlplane.compile import compile_paths

    compilation = compile_paths([specs])
    if not compilation.ok:
        problems = format_diagnostics([d for d in compilation.diagnostics if d.is_error], "text")
        raise SpecsDoNotCompile(f"the specs under {specs} do not compile:\n{problems}")
    return declare(compilation.models, compilation.config)
