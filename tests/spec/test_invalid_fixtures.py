"""Every file in tests/fixtures/invalid/ is a broken spec beside the exact diagnostics it yields.

A case is `<case>.yaml` (or `<case>/`, a folder of specs with its own mlcp.yaml)
and `<case>.expected`. Regenerate with `pytest --update-golden`, then review.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from controlplane.cli import cli

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "invalid"
CASES = sorted(
    p for p in FIXTURES.iterdir() if (p.suffix == ".yaml" or p.is_dir()) and p.name != "mlcp.yaml"
)


def run_validate(case: Path) -> tuple[int, str]:
    runner = CliRunner()
    cwd = os.getcwd()
    os.chdir(FIXTURES)
    try:
        result = runner.invoke(cli, ["validate", case.name], catch_exceptions=False)
    finally:
        os.chdir(cwd)
    return result.exit_code, result.stdout


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_invalid_case(case: Path, update_golden: bool) -> None:
    status, output = run_validate(case)
    expected_file = (
        case.with_suffix(".expected") if case.is_file() else case.parent / f"{case.name}.expected"
    )
    if update_golden:
        expected_file.write_text(output, encoding="utf-8")
    assert status == (1 if " error MLCP" in output else 0), output
    assert output == expected_file.read_text(encoding="utf-8")
