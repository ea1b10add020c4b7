"""Reports a person writes into the repository (`mlcp postmortem --out`,
`mlcp shadow-report --output`) replace the file they name: a link committed at
that name is replaced, its target left as it was."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import SPECS
from tests.rollout.test_shadow_report import csv_scores, write_capture
from tests.spec.clirun import run_mlcp

WORKFLOW = "on: push\njobs: {}\n"


def linked_output(root: Path, name: str) -> tuple[Path, Path]:
    """`name` under root, a link to a workflow file beside it."""
    workflow = root / "apply.yml"
    workflow.write_text(WORKFLOW, encoding="utf-8")
    out = root / name
    out.symlink_to(workflow)
    return out, workflow


def test_a_postmortem_replaces_a_link_at_its_name(tmp_path: Path) -> None:
    out, workflow = linked_output(tmp_path, "postmortem.md")
    args = ["fraud-detector", "--alert", "MLCPModelBroken", "--since", "6h"]
    run = run_mlcp(["postmortem", *args, "--specs", str(SPECS), "--out", str(out)])
    assert (run.code, run.stderr) == (0, f"wrote {out.as_posix()}\n")
    assert workflow.read_text(encoding="utf-8") == WORKFLOW
    assert not out.is_symlink()
    assert "# Postmortem: fraud-detector, MLCPModelBroken\n" in out.read_text(encoding="utf-8")


def test_a_shadow_report_replaces_a_link_at_its_name(tmp_path: Path) -> None:
    out, workflow = linked_output(tmp_path, "report.json")
    write_capture(tmp_path, "fraud-detector", "stable", csv_scores({"r1": 0.1, "r2": 0.7}))
    write_capture(tmp_path, "fraud-detector", "candidate", csv_scores({"r1": 0.2, "r2": 0.8}))
    capture = str(tmp_path / "capture")
    run = run_mlcp(
        ["shadow-report", "fraud-detector", capture, "--specs", str(SPECS), "--output", str(out)]
    )
    assert run.code == 0, run.stderr
    assert workflow.read_text(encoding="utf-8") == WORKFLOW
    assert not out.is_symlink()
    assert json.loads(out.read_text(encoding="utf-8"))["divergence"] == 0.0
