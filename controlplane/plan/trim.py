"""Which generated diffs the pull-request comment shows when they do not all fit.

A reviewer reads the rules first, then the runbook, the pipeline's parameters,
the Alertmanager and on-call files, the infrastructure preview, the dashboards,
and the generated tests last (promtool tests are large and restate the rules).
Diffs are taken in that order, the smaller first within a kind, each whole or
not at all, while they fit; the rest are named with their size.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from controlplane.plan.types import FileDiff

# Generated paths (relative to the output folder) by how soon a reviewer reads them.
READING_ORDER: tuple[tuple[str, ...], ...] = (
    ("monitoring/prometheus/*.rules.yml", "monitoring/prometheus/*.rules.yaml"),
    ("runbooks/*",),
    ("pipelines/*/params.yaml", "pipelines/*/dvc.yaml", "pipelines/*"),
    ("monitoring/alertmanager.yml", "pagerduty/*"),
    ("infra/*",),
    ("monitoring/grafana/*",),
)
TESTS = ("*/tests/*", "tests/*", "*.test.yml", "*.test.yaml")
LATER = len(READING_ORDER)  # any other generated file (schemas, ...)
LAST = LATER + 1  # generated tests


def reading_rank(path: str) -> int:
    """How soon a reviewer reads the file: 0 first; generated tests last."""
    if any(fnmatch.fnmatchcase(path, p) for p in TESTS):
        return LAST
    for rank, patterns in enumerate(READING_ORDER):
        if any(fnmatch.fnmatchcase(path, p) for p in patterns):
            return rank
    return LATER


def in_reading_order(files: Iterable[FileDiff]) -> list[FileDiff]:
    """The files as a reviewer reads them: by kind, then by path."""
    return sorted(files, key=lambda f: (reading_rank(f.path), f.path))


class Candidate(NamedTuple):
    """A diff the comment may show: the section it belongs to, the file, and how many
    characters showing it adds to the section."""

    section: int
    file: FileDiff
    cost: int


def choose(candidates: Iterable[Candidate], room: int) -> list[Candidate]:
    """The diffs shown: by reading rank, the smaller first, each whole while it fits."""
    chosen: list[Candidate] = []
    for candidate in sorted(candidates, key=_priority):
        if candidate.cost <= room:
            chosen.append(candidate)
            room -= candidate.cost
    return chosen


def least_read(chosen: Sequence[Candidate]) -> Candidate:
    """The diff to give up first: the latest read, the largest of its kind."""
    return max(chosen, key=_priority)


def _priority(c: Candidate) -> tuple[int, int, int, str]:
    return reading_rank(c.file.path), c.cost, c.section, c.file.path


def size(files: Iterable[FileDiff]) -> str:
    """The diffs' total length as a reader gauges it: `48.2 kB`."""
    return f"{sum(len(f.diff) for f in files) / 1000:.1f} kB"
