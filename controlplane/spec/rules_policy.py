"""Org policies from mlcp.yaml (``policies.all`` and ``policies.<tier>``)."""

from __future__ import annotations

from collections.abc import Iterator

from controlplane.diagnostics import Diagnostic
from controlplane.domain import DEFAULT_URGENCY
from controlplane.spec.rulebook import Context, rule

_REQUIRED = {
    "fallback": lambda s: s.fallback is not None,
    "rollout.shadow": lambda s: s.rollout.shadow is not None,
    "retraining": lambda s: s.retraining is not None,
    "quality.metrics": lambda s: bool(s.quality.metrics),
    "cost.monthly_budget": lambda s: s.cost.monthly_budget is not None,
}


@rule("MLCP301", "a tier's policy can require sections (fallback, rollout.shadow, …)")
def _required(ctx: Context) -> Iterator[Diagnostic]:
    for scope, policy in ctx.policies():
        for section in policy.require:
            if not _REQUIRED[section](ctx.spec):
                yield ctx.report(
                    ("metadata", "tier"),
                    f"policy {scope!r} requires {section}, which this spec does not declare",
                    f"add {section} (mlcp.yaml policies.{scope}.require)",
                )


@rule("MLCP302", "a tier's policy can fix the on-call urgency")
def _urgency(ctx: Context) -> Iterator[Diagnostic]:
    urgency = ctx.spec.oncall.urgency or DEFAULT_URGENCY[ctx.spec.metadata.tier]
    for scope, policy in ctx.policies():
        if policy.urgency and urgency != policy.urgency:
            yield ctx.report(
                ("oncall", "urgency"),
                f"policy {scope!r} requires oncall.urgency {policy.urgency!r} (got {urgency!r})",
                f"set oncall.urgency: {policy.urgency}",
            )


@rule("MLCP303", "PSI critical thresholds stay under the policy's ceiling")
def _psi_ceiling(ctx: Context) -> Iterator[Diagnostic]:
    for scope, policy in ctx.policies():
        ceiling = policy.max_psi_critical
        if ceiling is None:
            continue
        if ctx.spec.drift.psi.critical > ceiling:
            yield ctx.report(
                ("drift", "psi", "critical"),
                f"drift.psi.critical {ctx.spec.drift.psi.critical:g} exceeds policy "
                f"{scope!r} max_psi_critical {ceiling:g}",
                f"lower drift.psi.critical to {ceiling:g} or less",
            )
        for name, override in ctx.spec.features.overrides.items():
            if override.psi.critical is not None and override.psi.critical > ceiling:
                yield ctx.report(
                    ("features", "overrides", name, "psi", "critical"),
                    f"feature {name!r}: PSI critical {override.psi.critical:g} exceeds policy "
                    f"{scope!r} max_psi_critical {ceiling:g}",
                    f"lower the override to {ceiling:g} or less",
                )


@rule("MLCP304", "serving.instances.min meets the policy's minimum (no single point of failure)")
def _min_instances(ctx: Context) -> Iterator[Diagnostic]:
    serving = ctx.spec.serving
    for scope, policy in ctx.policies():
        if (
            serving.mode == "realtime"
            and policy.min_instances
            and serving.instances.min < policy.min_instances
        ):
            yield ctx.report(
                ("serving", "instances", "min"),
                f"policy {scope!r} requires serving.instances.min ≥ {policy.min_instances} "
                f"(got {serving.instances.min})",
                "one instance is a single point of failure for a realtime endpoint",
            )


@rule("MLCP305", "the monthly budget stays under the policy's ceiling")
def _budget(ctx: Context) -> Iterator[Diagnostic]:
    budget = ctx.spec.cost.monthly_budget
    for scope, policy in ctx.policies():
        if budget and policy.max_monthly_budget and budget > policy.max_monthly_budget:
            yield ctx.report(
                ("cost", "monthly_budget"),
                f"cost.monthly_budget {budget:g} exceeds policy {scope!r} "
                f"max_monthly_budget {policy.max_monthly_budget:g}",
                "lower the budget, or ask the owners of mlcp.yaml for an exception",
            )


@rule("MLCP306", "a tier's policy can require a quality bar marked broken: true")
def _broken(ctx: Context) -> Iterator[Diagnostic]:
    quality = ctx.spec.quality
    has_broken = any(m.broken for m in quality.metrics) or any(p.broken for p in quality.proxies)
    for scope, policy in ctx.policies():
        if policy.require_broken_metric and not has_broken:
            yield ctx.report(
                ("metadata", "tier"),
                f"policy {scope!r} requires a quality metric or proxy with broken: true",
                "say what 'broken' means, e.g. false_negative_rate above 3% over 4h",
            )
