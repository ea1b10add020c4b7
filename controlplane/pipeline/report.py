"""What `mlcp retrain` prints when the pipeline has run: the stages, the gate's decision
and what was proposed."""

from __future__ import annotations

from controlplane.pipeline.retrain import RetrainResult


def retrain_summary(result: RetrainResult) -> str:
    ran = ", ".join(result.ran) or "none"
    lines = [
        f"{result.model}: pipeline {result.pipeline.as_posix()}",
        f"  stages run: {ran}; unchanged: {len(result.skipped)}",
    ]
    gate = result.gate
    if gate is not None:
        lines.append(f"  gate: {gate['decision'].upper()}: {gate['reason']}")
    proposal = result.proposal
    if proposal is not None and proposal.get("proposed"):
        where = proposal["pull_request"] or (
            f"branch {proposal['branch']} (not pushed: no remote and token configured;"
            f" it would open a pull request into {proposal['base']}: {proposal['title']!r})"
        )
        lines.append(f"  proposal: {where}")
    elif proposal is not None:
        lines.append("  proposal: none")
    return "\n".join(lines)
