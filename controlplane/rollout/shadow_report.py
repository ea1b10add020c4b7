"""`mlcp shadow-report`: the shadow divergence of a model, from data-capture files.

The same figure the exporter counts (`controlplane.shadow`), over every request
both variants answered; written as JSON that `mlcp promote --report` reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from controlplane.contract import VARIANT_CANDIDATE, VARIANT_STABLE
from controlplane.model import Model
from controlplane.rollout.capture import read_captures
from controlplane.rollout.errors import EvidenceError
from controlplane.shadow import MEASURES, Tally, compare
from controlplane.write import replace_file


@dataclass(frozen=True)
class ShadowReport:
    model: Model
    tally: Tally
    unmatched: dict[str, int]
    without_id: int
    files: int

    @property
    def divergence(self) -> float:
        value = self.tally.divergence
        assert value is not None  # shadow_report refuses a capture with no comparison
        return value

    @property
    def within(self) -> bool:
        shadow = self.model.rollout.shadow
        return shadow is None or self.divergence <= shadow.max_divergence

    def as_json(self) -> dict[str, Any]:
        shadow = self.model.rollout.shadow
        return {
            "model": self.model.name,
            "task": self.model.task,
            "measure": MEASURES[self.model.task],
            "divergence": self.tally.divergence,
            "comparisons": self.tally.comparisons,
            "max_divergence": shadow.max_divergence if shadow else None,
            "within": self.within,
            "unmatched": self.unmatched,
            "without_inference_id": self.without_id,
            "files": self.files,
        }


def shadow_report(model: Model, paths: list[Path], *, threshold: float = 0.5) -> ShadowReport:
    """Join both variants' captured predictions by inference id and compare each pair."""
    captured = read_captures(paths)
    stable = captured.by_variant[VARIANT_STABLE]
    candidate = captured.by_variant[VARIANT_CANDIDATE]
    tally = Tally()
    for inference_id in sorted(stable.keys() & candidate.keys()):
        try:
            tally.add(
                compare(
                    model.task, stable[inference_id], candidate[inference_id], threshold=threshold
                )
            )
        except (TypeError, ValueError):
            raise EvidenceError(
                f"request {inference_id}: predictions {stable[inference_id]!r} and"
                f" {candidate[inference_id]!r} are not {model.task} answers"
            ) from None
    if tally.divergence is None:
        raise EvidenceError(
            f"no request of {model.name} was answered by both variants in {captured.files} file(s)"
            f" ({len(stable)} stable, {len(candidate)} candidate, {captured.without_id} without"
            " an inference id): pass InferenceId when invoking the endpoint"
        )
    unmatched = {
        VARIANT_STABLE: len(stable.keys() - candidate.keys()),
        VARIANT_CANDIDATE: len(candidate.keys() - stable.keys()),
    }
    return ShadowReport(model, tally, unmatched, captured.without_id, captured.files)


def format_report(report: ShadowReport) -> str:
    shadow = report.model.rollout.shadow
    bound = f"{shadow.max_divergence:.2%}" if shadow else "none (no shadow phase)"
    verdict = "within" if report.within else "ABOVE"
    lines = [
        f"{report.model.name}: {MEASURES[report.model.task]} {report.divergence:.2%}"
        f" over {report.tally.comparisons} requests answered by both variants",
        f"rollout.shadow.max_divergence: {bound} ({verdict})",
        f"unmatched: {report.unmatched[VARIANT_STABLE]} stable only,"
        f" {report.unmatched[VARIANT_CANDIDATE]} candidate only,"
        f" {report.without_id} without an inference id; {report.files} file(s)",
    ]
    return "\n".join(lines)


def write_report(report: ShadowReport, path: Path) -> None:
    text = json.dumps(report.as_json(), indent=2, sort_keys=True) + "\n"
    replace_file(path, text.encode("utf-8"))  # a link at that name is replaced
