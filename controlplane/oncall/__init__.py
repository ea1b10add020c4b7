"""PagerDuty as the specs say: `run` plans or applies, `Reconciliation` reports."""

from __future__ import annotations

from controlplane.oncall.reconcile import run
from controlplane.oncall.result import Outcome, Reconciliation

__all__ = ["Outcome", "Reconciliation", "run"]
