"""What a runbook says about a model, as data: the SLA table, what "broken" means,
one section per alert the model can fire. The template turns it into prose.

Every alert section is built from the model's alerting rules (`alert_guides`),
so it lists exactly the alerts the rule file holds, under the anchor their
`runbook_url` points at.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from controlplane import contract, domain
from controlplane.model import Model
from controlplane.render.monitoring.guide import AlertGuide, alert_guides
from controlplane.render.runbook.bars import bar, duration, percent
from controlplane.render.runbook.markdown import code


@dataclass(frozen=True)
class Rule:
    """One alerting rule of an alert: the labels that tell it apart, its bar, how to see it."""

    labels: str  # `feature=amount`, or "" when the alert has one rule
    severity: str
    threshold: str
    window: str
    wait: str  # the rule's `for`
    query: str
    panel: str


@dataclass(frozen=True)
class Section:
    name: str
    anchor: str
    category: str
    severities: tuple[str, ...]
    meanings: tuple[str, ...]
    waits: tuple[tuple[str, str], ...]  # (`for`, why)
    inhibits: tuple[str, ...]
    rules: tuple[Rule, ...]
    causes: tuple[str, ...]  # Markdown lines

    @property
    def pages(self) -> bool:
        return "page" in self.severities


@dataclass(frozen=True)
class SlaRow:
    objective: str
    target: str
    alerts: tuple[str, ...]


def _unique(items: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _rule(model: Model, guide: AlertGuide) -> Rule:
    threshold, window = bar(model, guide)
    skip = (contract.LONG_WINDOW, contract.SHORT_WINDOW)
    labels = ", ".join(f"{k}={v}" for k, v in guide.labels if k not in skip)
    return Rule(
        labels=labels,
        severity=guide.declaration.severity,
        threshold=threshold,
        window=window,
        wait=duration(guide.declaration.for_seconds),
        query=guide.query,
        panel=guide.panel,
    )


def alert_sections(model: Model) -> list[Section]:
    """One section per alert name, in rule-file order."""
    guides = alert_guides(model)
    sections = []
    for name in _unique([g.declaration.name for g in guides]):
        mine = [g for g in guides if g.declaration.name == name]
        declarations = list(dict.fromkeys(g.declaration for g in mine))
        sections.append(
            Section(
                name=name,
                anchor=mine[0].anchor,
                category=declarations[0].category,
                severities=_unique([d.severity for d in declarations]),
                meanings=_unique([d.meaning for d in declarations]),
                waits=tuple(
                    dict.fromkeys((duration(d.for_seconds), d.for_why) for d in declarations)
                ),
                inhibits=_unique([i.why for d in declarations for i in d.inhibits]),
                rules=tuple(_rule(model, g) for g in mine),
                causes=tuple(
                    cause.format(
                        state=code(model.rollout.state), instances=model.serving.instances_max
                    )
                    for cause in declarations[0].likely_causes
                ),
            )
        )
    return sections


def sla_rows(model: Model, sections: Sequence[Section]) -> list[SlaRow]:
    """The SLA as the spec sets it, each objective beside the alerts that watch it."""
    sla, rows = model.sla, []
    for quantile in domain.LATENCY_QUANTILES:
        value = getattr(sla.latency, quantile)
        if value is not None:
            alert = contract.ALERT_LATENCY.format(quantile=quantile.upper())
            rows.append(SlaRow(f"latency {quantile}", duration(value), (alert,)))
    if sla.error_rate is not None:
        rows.append(SlaRow("error rate", percent(sla.error_rate), (contract.ALERT_ERROR_RATE,)))
    if sla.availability is not None:
        rows.append(SlaRow("availability", percent(sla.availability), ()))
    if sla.error_budget is not None:
        burn = (contract.ALERT_ERROR_BUDGET_BURN,)
        rows.append(SlaRow("error budget (30 days)", percent(sla.error_budget), burn))
    if sla.min_throughput is not None:
        rows.append(SlaRow("minimum throughput", f"{sla.min_throughput:g}/s", ()))
    fired = {s.name for s in sections}
    return [SlaRow(r.objective, r.target, tuple(a for a in r.alerts if a in fired)) for r in rows]


def broken_rules(sections: Sequence[Section]) -> list[tuple[Section, Rule]]:
    """The rules that page: what "broken" means for this model, bar by bar."""
    return [(s, r) for s in sections for r in s.rules if r.severity == "page"]


@dataclass(frozen=True)
class SeriesAround:
    """A series the alert reads, sampled around its first firing: (UTC time, value) rows."""

    query: str
    values: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class PostmortemFacts:
    """What a postmortem can say before a person writes it; blank in the runbook's template."""

    alert: str = ""
    severity: str = ""
    metric: str = ""  # the metric degraded, with its bar
    started: str = ""  # when the alert's condition first held (UTC)
    detected: str = ""  # when the alert first fired (UTC)
    time_to_detect: str = ""
    note: str = ""  # why some facts are missing
    series: tuple[SeriesAround, ...] = ()
