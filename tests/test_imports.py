"""The package structure `.importlinter` holds (no import cycles), checked by import-linter itself."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

LINT = "from importlinter.cli import lint_imports_command; lint_imports_command()"


def lint_imports(where: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(where)}
    return subprocess.run(
        [sys.executable, "-c", LINT], cwd=where, env=env, capture_output=True, text=True
    )


def test_controlplane_keeps_its_import_contracts() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 1 kept, 0 broken." in result.stdout


def test_the_contract_refuses_a_cycle_between_two_packages(tmp_path: Path) -> None:
    # A hand-made house with one cycle: toy.low imports toy.high, which imports toy.low.
    contract = (ROOT / ".importlinter").read_text(encoding="utf-8")
    (tmp_path / ".importlinter").write_text(contract.replace("controlplane", "toy"))
    for name, body in {
        "__init__.py": "",
        "high/__init__.py": "from toy.low import ground\n",
        "low/__init__.py": "",
        "low/ground.py": "import toy.high\n",
        "apart.py": "import toy.low\n",
    }.items():
        path = tmp_path / "toy" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body)
    result = lint_imports(tmp_path)
    assert result.returncode == 1
    assert "Contracts: 0 kept, 1 broken." in result.stdout
    assert "No cycles are allowed in toy." in result.stdout
