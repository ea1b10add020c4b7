"""Every benchmark script runs to completion on today's examples and prints its figures.

Each runs as documented (a script under benchmarks/, this tree's interpreter) on a
tiny input, so that a benchmark cannot break silently: the figures in
benchmarks/README.md must be reproducible with the commands written there. Figures
are not checked (timings on a shared machine mean nothing at this size), only that
each table is printed, with no error. Not run here: benchmarks/retrain.py (the
whole retraining pipeline with DVC, minutes even on its small example; the
pipeline tests run the same `retrain`), and the whylogs and Evidently halves of
monitor_profile.py and monitor_drift.py (they need benchmarks/.work/venv).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT

FORMATS = ("text", "markdown", "json")
CASES = {
    # The default baseline (where this branch left main), checked out with `git archive`:
    # a fixed old commit as default refused today's examples (MLCP110 unknown key 'since').
    "compile.py": (
        ["--specs", "3", "--runs", "1"],
        [
            r"cold build +\d+\.\d+ s \( *\d+\.\d+ cpu\) +\d+\.\d+ s \( *\d+\.\d+ cpu\) +\d+\.\dx",
            r"one spec changed +\d+\.\d+ s",
            r"check, no base +\d+\.\d+ s",
            r"peak memory, tree +\d+ MB +\d+ MB",
            r"load average at the end: \d+\.\d",
        ],
    ),
    "plan.py": (
        ["--specs", "4", "--runs", "1"],
        [rf"--format {f} +\d+\.\d+ s +\(\d+\.\d+ s CPU, \d+ MB peak\)" for f in FORMATS],
    ),
    "infra_preview.py": (["--models", "1", "--runs", "1"], [r"\| 1 \| \d+ \| \d+\.\d+ s"]),
    "loader.py": (
        ["--before", str(ROOT), "--specs", "4", "--runs", "1"],
        [r"after/before: wall \d+\.\d+, cpu \d+\.\d+", r"YAML 1.2 parser alone: +\d+\.\d+ ms"],
    ),
    "gate.py": (
        ["--examples", "2000", "--resamples", "1000", "--runs", "1"],
        [r"ratio scipy/mlcp, CPU time +\d+\.\dx", r"mlcp decide\('mae'\) \(Wilcoxon\)"],
    ),
    "profile_memory.py": (
        ["--rows", "3000", "--groups", "1", "2", "--baseline", "HEAD"],
        [
            r" 1 +\d+ MB \| +\d+ MB +\d+\.\d+ s CPU +\d+\.\d+ s \| +\d+ MB .* \| yes",
            r" 2 +\d+ MB \| +\d+ MB +\d+\.\d+ s CPU +\d+\.\d+ s \| +\d+ MB .* \| yes",
        ],
    ),
    "monitor_observe.py": (
        ["--rows", "200", "--batch-rows", "2000"],
        [r"ModelMonitor.observe +median", r"observe_batch\(\): 2000 rows"],
    ),
    "monitor_profile.py": (
        ["--rows", "2000", "--only-mlcp"],
        [r"build_profile \(DataFrame\) +\d+\.\d+ s", r"build_profile \(arrow Table\)"],
    ),
    "monitor_drift.py": (
        ["--rows", "2000", "--only-mlcp"],
        [r"compute_drift\(current\) +\d+\.\d+ s", r"psi n00: mlcp \d\.\d{4}"],
    ),
}


@pytest.mark.parametrize("script", sorted(CASES))
def test_benchmark_script_runs_and_prints_its_figures(script: str) -> None:
    args, expected = CASES[script]
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert "error" not in done.stdout.lower(), done.stdout
    for pattern in expected:
        assert re.search(pattern, done.stdout), (pattern, done.stdout)


def test_every_benchmark_script_is_run_here_or_said_not_to_be() -> None:
    scripts = {p.name for p in (ROOT / "benchmarks").glob("*.py")}
    assert scripts - set(CASES) == {"retrain.py", "monitor_data.py"}
