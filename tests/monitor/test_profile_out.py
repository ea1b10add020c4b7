"""`mlcp profile --out` replaces the file it names: a link committed at that name (say
at the spec's reference profile) is not written through."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from controlplane.monitor import load_profile
from controlplane.monitor.commands import profile_command
from tests.monitor.test_commands import fraud_frame, run

WORKFLOW = "on: push\njobs: {}\n"


def test_a_link_at_the_output_name_is_replaced_not_written_through(
    tmp_path: Path, examples: Path
) -> None:
    pq.write_table(fraud_frame(3000, seed=1), tmp_path / "train.parquet")
    workflow = tmp_path / "apply.yml"
    workflow.write_text(WORKFLOW, encoding="utf-8")
    out = tmp_path / "profile.json"
    out.symlink_to(workflow)
    args: list[str | Path] = ["--model", "fraud-detector", "--specs", examples, "--out", out]
    code, stdout, _ = run(profile_command, *args, tmp_path / "train.parquet")
    assert (code, stdout) == (0, f"{out}: 3000 rows, 6 features\n")
    assert workflow.read_text(encoding="utf-8") == WORKFLOW
    assert not out.is_symlink()
    assert load_profile(out).rows == 3000
