"""Recording and alerting rules as data, and their Prometheus rule-file form."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from controlplane import contract
from controlplane.alerts import AlertDeclaration, Category
from controlplane.model import Config, Model
from controlplane.render.monitoring import promql
from controlplane.render.monitoring.humanize import TEMPLATES, ValueFormat, expand
from controlplane.signals import Severity

Labels = tuple[tuple[str, str], ...]

# A reference to a label of the alerting series inside description text:
# `{{ $labels.NAME }}` in the rule, the label's value in a test's expectation.
# NUL cannot occur in YAML text, so it cannot collide with anything from a spec.
LABEL_REF = re.compile("\x00([a-z_]+)\x00")

# The drift window where a feature's PSI is worst: not a label of the alert (the
# alert must keep its identity while the worst window moves), so the description
# reads it from the recorded series when it is written.
WORST_WINDOW = "worst_window"
QUERIES = {
    WORST_WINDOW: (
        "{{ with printf "
        + promql.string(
            contract.recorded(contract.REC_FEATURE_PSI, contract.WORST)
            + f"{{{contract.MODEL}=%q, {contract.FEATURE}=%q}}"
        )
        + f" $labels.{contract.MODEL} $labels.{contract.FEATURE} | query }}}}"
        + f"{{{{ . | first | label {promql.string(contract.WINDOW)} }}}}{{{{ end }}}}"
    )
}


def label_ref(name: str) -> str:
    return f"\x00{name}\x00"


def _reference(name: str) -> str:
    return QUERIES.get(name, "{{ $labels." + name + " }}")


def _template(text: str) -> str:
    return LABEL_REF.sub(lambda m: _reference(m.group(1)), promql.literal_text(text))


def _expanded(text: str, series: Mapping[str, str]) -> str:
    return LABEL_REF.sub(lambda m: series[m.group(1)], text)


@dataclass(frozen=True)
class Recording:
    record: str
    expr: str
    labels: Labels = ()

    def as_dict(self) -> dict[str, Any]:
        rule: dict[str, Any] = {"record": self.record, "expr": self.expr}
        if self.labels:
            rule["labels"] = dict(self.labels)
        return rule


@dataclass(frozen=True)
class Alert:
    """One alerting rule of a declared alert. Its description reads `<head> <value><tail>`."""

    declaration: AlertDeclaration
    expr: str
    summary: str
    head: str
    value_format: ValueFormat | None
    tail: str
    extra_labels: Labels = field(default=())

    @property
    def name(self) -> str:
        return self.declaration.name

    @property
    def for_seconds(self) -> float:
        return self.declaration.for_seconds

    @property
    def severity(self) -> Severity:
        return self.declaration.severity

    @property
    def category(self) -> Category:
        return self.declaration.category

    def labels(self, model: Model) -> dict[str, str]:
        """The labels the rule sets (before templating): the same on every alert it raises."""
        return {
            contract.SEVERITY: self.severity,
            contract.MODEL: model.name,
            contract.TEAM: model.team,
            contract.TIER: model.tier,
            contract.CATEGORY: self.category,
            **dict(self.extra_labels),
        }

    def annotations(
        self, model: Model, config: Config, series: Mapping[str, str], value: float | None
    ) -> dict[str, str]:
        """The annotations as Prometheus expands them for one alerting series (for the tests)."""
        shown = (
            "" if self.value_format is None or value is None else expand(self.value_format, value)
        )
        return {
            "summary": _expanded(self.summary, series),
            "description": _expanded(self.head + shown + self.tail, series) + _about(model),
            "runbook_url": runbook_url(model, config, self.name),
        }

    def as_dict(self, model: Model, config: Config) -> dict[str, Any]:
        value = "" if self.value_format is None else TEMPLATES[self.value_format]
        description = _template(self.head) + value + _template(self.tail)
        return {
            "alert": self.name,
            "expr": self.expr,
            "for": promql.duration(self.for_seconds),
            "labels": {k: promql.literal_text(v) for k, v in self.labels(model).items()},
            "annotations": {
                "summary": _template(self.summary),
                "description": description + promql.literal_text(_about(model)),
                "runbook_url": promql.literal_text(runbook_url(model, config, self.name)),
            },
        }


def _about(model: Model) -> str:
    """The model's own description, so whoever is woken knows what the model does."""
    return f"\n{model.name}: {model.description}" if model.description else ""


def runbook_url(model: Model, config: Config, alertname: str) -> str:
    base = config.runbook_base_url.rstrip("/")
    return f"{base}/{model.name}.md#{contract.runbook_anchor(alertname)}"


@dataclass(frozen=True)
class Group:
    name: str
    rules: tuple[Recording | Alert, ...]


def rule_file(groups: list[Group], model: Model, config: Config) -> dict[str, Any]:
    """The rule file as data; empty groups are left out."""
    return {
        "groups": [
            {
                "name": group.name,
                "rules": [
                    rule.as_dict(model, config) if isinstance(rule, Alert) else rule.as_dict()
                    for rule in group.rules
                ],
            }
            for group in groups
            if group.rules
        ]
    }
