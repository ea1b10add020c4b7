"""What a reconciliation did (or, as a plan, would do), service by service."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from controlplane.diagnostics import Diagnostic, format_text, has_errors

# The verb of each kind of outcome, in a plan and in an apply, in the summary's order.
VERBS = {
    "create": ("create", "created"),
    "update": ("update", "updated"),
    "unchanged": ("unchanged", "unchanged"),
    "delete": ("delete", "deleted"),
    "keep": ("keep", "kept"),
    "conflict": ("conflict", "conflict"),
    "failed": ("failed", "failed"),
}


@dataclass(frozen=True)
class Outcome:
    kind: str  # a key of VERBS
    service: str
    detail: str

    @property
    def failed(self) -> bool:
        return self.kind in ("conflict", "failed")

    def line(self, applied: bool) -> str:
        return f"{VERBS[self.kind][applied]:<9} {self.service}: {self.detail}"


@dataclass
class Reconciliation:
    applied: bool  # False for a plan
    outcomes: list[Outcome] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return has_errors(self.diagnostics) or any(o.failed for o in self.outcomes)

    def lines(self) -> list[str]:
        """The located diagnostics, one line per service, then the counts."""
        text = format_text(self.diagnostics)
        return [
            *(text.splitlines() if text else []),
            *(o.line(self.applied) for o in self.outcomes),
            self.summary(),
        ]

    def summary(self) -> str:
        counts = Counter(o.kind for o in self.outcomes)
        parts = [f"{counts[k]} {VERBS[k][self.applied]}" for k in VERBS if counts[k]]
        what = "applied" if self.applied else "plan"
        if not self.outcomes:
            return f"{what}: no services" + (" (the specs have errors)" if self.failed else "")
        return f"{what}: " + ", ".join(parts)
