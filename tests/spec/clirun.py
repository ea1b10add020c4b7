"""Run `mlcp` in-process exactly as a user would: through `main`, with its exit-code mapping."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from click.testing import CliRunner

from controlplane.cli import main


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str


def run_mlcp(args: Sequence[str]) -> Run:
    """Call `controlplane.cli.main` with its streams captured by click's own test isolation."""
    runner = CliRunner()
    with runner.isolation() as (out, err, _mixed):
        code = main(list(args))
    return Run(code, out.getvalue().decode("utf-8"), err.getvalue().decode("utf-8"))
