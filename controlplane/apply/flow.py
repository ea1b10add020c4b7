"""`mlcp apply`: refuse unless everything is ready, then PagerDuty, then Pulumi.

Checks come first and change nothing: a clean git tree at the tip of the
branch the remote has, a build that
`mlcp build --check` finds up to date, a lock no other apply holds, a
resolvable stack and an installed Pulumi CLI. Then the steps run in order;
the first that fails stops the rest, and the report says which steps
applied, which failed and which never ran.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from controlplane.apply import stack as pulumi_stack
from controlplane.apply.checks import Checked, check_ready, open_repository
from controlplane.apply.lock import LOCK_NAME, apply_lock
from controlplane.apply.stack import Progress, WorkspaceFactory
from controlplane.apply.tip import TipPolicy


@dataclass
class Step:
    name: str
    status: str  # applied | failed | skipped
    lines: list[str] = field(default_factory=list)


@dataclass
class ApplyReport:
    steps: list[Step] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(s.status == "failed" for s in self.steps)

    def verdict(self) -> str:
        applied = [s.name for s in self.steps if s.status == "applied"]
        if not self.failed:
            return f"applied: {', '.join(applied)}"
        failed = next(s.name for s in self.steps if s.status == "failed")
        return f"{failed} failed; applied before it: {', '.join(applied) or 'nothing'}"


def reconcile_pagerduty(specs: Path, prune: bool) -> tuple[bool, list[str]]:
    """The PagerDuty reconciler, imported when called (httpx is not free): (ok, report lines)."""
    from controlplane import oncall

    reconciliation = oncall.run(specs, apply=True, prune=prune)
    return not reconciliation.failed, list(reconciliation.lines())


@dataclass(frozen=True)
class Seams:
    """What tests replace: the PagerDuty step, the Pulumi workspace, the environment."""

    pagerduty: Callable[[Path, bool], tuple[bool, list[str]]] = reconcile_pagerduty
    workspace: WorkspaceFactory | None = None
    environ: Callable[[], Mapping[str, str]] = pulumi_stack.environment


def apply(
    specs: Path,
    stack: str | None,
    *,
    prune: bool,
    progress: Progress,
    tip: TipPolicy | None = None,
    seams: Seams = Seams(),
) -> ApplyReport:
    """Check, lock, reconcile PagerDuty, update the Pulumi stack; report each step."""
    git_dir = Path(open_repository(specs).git_dir)
    with apply_lock(git_dir / LOCK_NAME):  # first: nothing changes between checks and steps
        ready = check_ready(specs, tip, seams.environ())
        request = pulumi_stack.stack_request(
            ready.config, ready.root, stack, seams.environ(), ready.specs
        )
        workspace = pulumi_stack.open_workspace(request, seams.workspace)
        for line in ready.lines:
            progress(line)
        progress(f"will update {request.describe()}")
        return _run_steps(ready, request, workspace, prune, progress, seams)


def _run_steps(
    ready: Checked,
    request: pulumi_stack.StackRequest,
    workspace: Any,
    prune: bool,
    progress: Progress,
    seams: Seams,
) -> ApplyReport:
    def pagerduty() -> tuple[bool, list[str]]:
        return seams.pagerduty(ready.specs, prune)

    def pulumi() -> tuple[bool, list[str]]:
        selected = pulumi_stack.select_stack(request, workspace)
        message = f"mlcp apply at {ready.commit}"
        if ready.override:  # the stack's history keeps the override and its reason
            message += f" ({ready.override})"
        return True, pulumi_stack.up(selected, message, progress)

    report = ApplyReport()
    for name, run in (("pagerduty", pagerduty), ("pulumi", pulumi)):
        if report.failed:
            report.steps.append(Step(name, "skipped", ["not run: an earlier step failed"]))
        else:
            progress(f"{name}: applying")
            report.steps.append(_attempt(name, run))
        step = report.steps[-1]
        progress(f"{name}: {step.status}")
        for line in step.lines:
            progress(f"  {line}")
    progress(report.verdict())
    return report


def _attempt(name: str, run: Callable[[], tuple[bool, list[str]]]) -> Step:
    # A step's failure is reported with what applied before it, never as a traceback.
    try:
        ok, lines = run()
    except Exception as exc:
        return Step(name, "failed", [_reason(exc)])
    return Step(name, "applied" if ok else "failed", lines)


def _reason(exc: Exception) -> str:
    text = str(exc)
    if "\n stderr: " in text:  # a Pulumi CLI failure (its CommandResult): the CLI's last words
        stderr = text.split("\n stderr: ", 1)[1].strip()
        if stderr:
            return stderr.splitlines()[-1]
    return text or type(exc).__name__
