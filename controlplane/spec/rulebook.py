"""What a semantic rule is: a code, a severity, a title and a check over one spec.

The decorator ``rule`` only describes a check; it registers nothing. The rules
mlcp runs are the explicit list ``check.RULES``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import ModuleType

from controlplane.diagnostics import Diagnostic, Severity
from controlplane.spec.config import ConfigSpec, Policy
from controlplane.spec.load import Document, KeyPath
from controlplane.spec.types import _Unit
from controlplane.spec.v1 import ModelSpec

FEATURE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass
class Context:
    spec: ModelSpec
    doc: Document
    config: ConfigSpec
    code: str = ""
    severity: Severity = "error"

    def report(
        self, path: KeyPath, message: str, hint: str = "", *, key: bool = False
    ) -> Diagnostic:
        loc = self.doc.locate(path, key=key)
        return Diagnostic(loc.file, loc.line, loc.col, self.code, self.severity, message, hint)

    def policies(self) -> list[tuple[str, Policy]]:
        tier = self.spec.metadata.tier
        chosen = [("all", self.config.policies.get("all")), (tier, self.config.policies.get(tier))]
        return [(name, policy) for name, policy in chosen if policy is not None]


Check = Callable[[Context], Iterator[Diagnostic]]


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    title: str
    check: Check


def rule(code: str, title: str, severity: Severity = "error") -> Callable[[Check], Rule]:
    """Describe a check as a rule; listing it in ``check.RULES`` is what makes it run."""

    def describe(check: Check) -> Rule:
        return Rule(code, severity, title, check)

    return describe


def rules_in(*modules: ModuleType) -> tuple[Rule, ...]:
    """Every rule the given modules define, by code (a module's rules are its ``Rule`` values)."""
    found = [value for module in modules for value in vars(module).values()]
    return tuple(sorted((r for r in found if isinstance(r, Rule)), key=lambda r: r.code))


def is_bare(value: _Unit) -> bool:
    """A rate written as a plain number (0.5), not as a percentage (0.5%)."""
    return not value.text.strip().endswith("%")
