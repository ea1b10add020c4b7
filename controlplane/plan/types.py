"""What a plan is made of: plain frozen records, serialised as they are by `--format json`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Change = Literal["create", "update", "delete", "unchanged", "error"]
Severity = Literal["risk", "warning", "note"]
Action = Literal["create", "update", "replace", "delete"]
Moved = Literal["added", "removed", "changed"]

# The version of the JSON document (`--format json`); its schema is plan/schema.json.
PLAN_VERSION = 1


@dataclass(frozen=True)
class Finding:
    """Something a reviewer should weigh: a risk, a warning (over budget) or a note."""

    severity: Severity
    message: str


@dataclass(frozen=True)
class FieldChange:
    """One spec value that changed, as written, and what the change means."""

    path: str  # in the spec, as written: "quality.metrics[recall].min", "drift.null_rate.min_rate"
    before: str | None  # None: absent
    after: str | None
    meaning: str  # e.g. "loosened: alerts later"
    risky: bool = False


@dataclass(frozen=True)
class AlertChange:
    alert: str  # the alert's name
    action: Moved
    count: int = 1  # instances of that alert (one per feature, window, ...)


@dataclass(frozen=True)
class FileDiff:
    """A generated file that differs: its unified diff and the lines it adds and removes."""

    path: str
    status: Moved
    added: int
    removed: int
    diff: str


@dataclass(frozen=True)
class ResourceChange:
    action: Action
    type: str
    name: str
    changed: tuple[str, ...] = ()  # the inputs that differ
    risky: bool = False  # a replacement: the resource is destroyed and made again


@dataclass(frozen=True)
class ServiceChange:
    action: Literal["create", "update", "delete"]
    name: str
    changed: tuple[str, ...] = ()


@dataclass(frozen=True)
class CostItem:
    item: str  # what is paid for, with the arithmetic: "2 × ml.c5.xlarge × 730 h"
    monthly: float  # USD per month, the estimate
    ceiling: float  # USD per month at the autoscaling maximum


@dataclass(frozen=True)
class Cost:
    before: float
    after: float
    ceiling_before: float
    ceiling_after: float
    items_before: tuple[CostItem, ...] = ()
    items_after: tuple[CostItem, ...] = ()

    @property
    def delta(self) -> float:
        return round(self.after - self.before, 2)


@dataclass(frozen=True)
class GeneratedFile:
    """A file on disk under the output folder (or CODEOWNERS) that is not what the head's
    specs render: what `mlcp build --check` fails on, told to the reviewer."""

    severity: Severity  # a risk when edited by hand; a note when only not rebuilt
    path: str  # from the project root, e.g. build/runbooks/fraud-detector.md
    problem: str  # e.g. "hand-edited generated file"


@dataclass(frozen=True)
class ModelPlan:
    name: str
    source: str
    change: Change
    fields: tuple[FieldChange, ...] = ()
    alerts: tuple[AlertChange, ...] = ()
    files: tuple[FileDiff, ...] = ()
    resources: tuple[ResourceChange, ...] = ()
    services: tuple[ServiceChange, ...] = ()
    cost: Cost | None = None
    findings: tuple[Finding, ...] = ()
    diagnostics: tuple[str, ...] = ()  # why the spec does not compile, when it does not

    @property
    def risky(self) -> bool:
        return any(f.severity == "risk" for f in self.findings)


@dataclass(frozen=True)
class Plan:
    base: str | None  # the revision planned against; None for an empty tree
    models: tuple[ModelPlan, ...]  # every model that changes or fails, by name
    unchanged: tuple[str, ...] = ()
    shared_files: tuple[FileDiff, ...] = ()  # files made from every model together
    shared_resources: tuple[ResourceChange, ...] = ()  # resources of no one model
    shared_services: tuple[ServiceChange, ...] = ()
    base_diagnostics: tuple[str, ...] = ()  # specs that did not compile at the base
    head_diagnostics: tuple[str, ...] = ()  # errors not tied to one model
    generated: tuple[GeneratedFile, ...] = ()  # generated files not as the specs render them

    @property
    def against(self) -> str:
        """The base as a sentence names it."""
        return f"`{self.base}`" if self.base is not None else "an empty tree"

    @property
    def ok(self) -> bool:
        """The head compiles: a plan with an error is not one to merge."""
        return not self.head_diagnostics and all(m.change != "error" for m in self.models)
