"""The monthly cost of a model, from what its spec asks for and the price list.

A month is 730 hours (8,760 / 12). The estimate counts the minimum instances of
an endpoint; the ceiling counts the autoscaling maximum. What is billed:

- the endpoint's instances, on demand, around the clock;
- the candidate variant while a rollout is in shadow or canary (sized like the
  stable one, so that it can take all traffic when promoted);
- data capture while in shadow, stored in S3 (``CAPTURE_BYTES`` a request, at
  the endpoint's autoscaling target rate);
- batch runs (``BATCH_RUN_HOURS`` each, as often as the schedule fires) and
  retraining runs (``max_runtime`` each, as often as the cadence), at spot
  prices when the spec asks for spot (mlcp.yaml `cost.spot_discount`);
- the cache node in front of the endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from controlplane import units
from controlplane.model import Config, Model
from controlplane.plan.prices import S3_GB_MONTH, cpu_alternative, price_table
from controlplane.plan.types import CostItem, Finding

HOURS_PER_MONTH = 730.0
MINUTES_PER_MONTH = HOURS_PER_MONTH * 60
BATCH_RUN_HOURS = 1.0  # a spec says how often a batch job runs, not how long: one hour assumed
CAPTURE_BYTES = 2048  # one captured request and its response


@dataclass
class Estimate:
    items: list[CostItem] = field(default_factory=list)
    unpriced: list[str] = field(default_factory=list)  # instance types with no price

    @property
    def monthly(self) -> float:
        return round(sum(i.monthly for i in self.items), 2)

    @property
    def ceiling(self) -> float:
        return round(sum(i.ceiling for i in self.items), 2)


def runs_per_month(cadence: str) -> float:
    """Runs a month of a cadence or cron, as the schedule fires them (units.CADENCES)."""
    return units.cadence_runs_per_year(cadence) / 12


def estimate(model: Model, config: Config) -> Estimate:
    """What the model costs a month under its config's prices."""
    prices = price_table(config.prices)
    spot = 1 - config.spot_discount
    out = Estimate()

    def add(item: str, instance: str, hours: float, low: float, high: float) -> None:
        price = prices.get(instance)
        if price is None:
            out.unpriced.append(instance)
            return
        out.items.append(
            CostItem(item, round(low * price * hours, 2), round(high * price * hours, 2))
        )

    serving = model.serving
    low, high = serving.instances_min, serving.instances_max
    if serving.mode == "realtime":
        where = f"{serving.instance_type} × 730 h"
        add(f"endpoint: {low}–{high} × {where}", serving.instance_type, HOURS_PER_MONTH, low, high)
        state = model.rollout.state
        record = model.rollout.record
        if record.beside_stable:
            add(
                f"candidate variant ({state}): {low}–{high} × {where}",
                serving.instance_type,
                HOURS_PER_MONTH,
                low,
                high,
            )
        if record.mirrored:
            gigabytes = (
                serving.target_invocations_per_instance * MINUTES_PER_MONTH * CAPTURE_BYTES / 1e9
            )
            out.items.append(
                CostItem(
                    f"data capture ({state}): {gigabytes * low:,.0f}–{gigabytes * high:,.0f} GB in S3",
                    round(gigabytes * low * S3_GB_MONTH, 2),
                    round(gigabytes * high * S3_GB_MONTH, 2),
                )
            )
        if serving.cache is not None:
            add(
                f"cache: 1 × {serving.cache.node_type} × 730 h",
                serving.cache.node_type,
                HOURS_PER_MONTH,
                1,
                1,
            )
    else:
        runs = runs_per_month(serving.cron or "daily")
        factor = spot if serving.spot else 1.0
        kind = "spot" if serving.spot else "on demand"
        add(
            f"batch: {runs:.1f} runs × {BATCH_RUN_HOURS:g} h × {low}–{high} × "
            f"{serving.instance_type} ({kind})",
            serving.instance_type,
            runs * BATCH_RUN_HOURS * factor,
            low,
            high,
        )
    retraining = model.retraining
    if retraining is not None:
        runs = runs_per_month(retraining.cadence)
        hours = retraining.max_runtime / units.HOUR
        factor = spot if retraining.spot else 1.0
        kind = "spot" if retraining.spot else "on demand"
        add(
            f"retraining: {runs:.1f} runs × {hours:g} h × {retraining.instance_type} ({kind})",
            retraining.instance_type,
            runs * hours * factor,
            1,
            1,
        )
    return out


def cost_findings(model: Model, config: Config, est: Estimate, gpu_declared: bool) -> list[Finding]:
    """Over budget (by how much), prices missing, and a GPU serving a model that needs none."""
    findings: list[Finding] = []
    budget = model.monthly_budget
    if budget is not None and est.monthly > budget:
        over = est.monthly - budget
        findings.append(
            Finding(
                "warning",
                f"estimated ${est.monthly:,.2f}/month is over the "
                f"${budget:,.2f} budget by ${over:,.2f} ({over / budget:.0%})",
            )
        )
    elif budget is not None and est.ceiling > budget:
        findings.append(
            Finding(
                "note",
                f"at its autoscaling maximum (${est.ceiling:,.2f}/month) "
                f"the model would exceed its ${budget:,.2f} budget",
            )
        )
    for instance in sorted(set(est.unpriced)):
        findings.append(
            Finding(
                "warning",
                f"no price for {instance}: its cost is left out "
                "(add it under `prices:` in mlcp.yaml)",
            )
        )
    findings += _right_sizing(model, config, gpu_declared)
    return findings


def _right_sizing(model: Model, config: Config, gpu_declared: bool) -> list[Finding]:
    serving = model.serving
    alternative = cpu_alternative(serving.instance_type)
    if gpu_declared or alternative is None:
        return []
    prices = price_table(config.prices)
    hours = HOURS_PER_MONTH * serving.instances_min
    now, then = prices.get(serving.instance_type), prices.get(alternative)
    saving = (
        f": ${then * hours:,.2f}/month instead of ${now * hours:,.2f} at {serving.instances_min} "
        "instances"
        if now is not None and then is not None
        else ""
    )
    return [
        Finding(
            "note",
            f"{serving.instance_type} is a GPU instance but task.gpu is not set; "
            f"the CPU instance {alternative} would cost less{saving}",
        )
    ]
