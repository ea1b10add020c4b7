"""Specs compiled over worker processes report exactly what one process reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from controlplane import workers
from controlplane.compile import compile_paths
from tests.inworkers import compile_only_in_workers
from tests.spec.clirun import run_mlcp


@pytest.fixture
def troubled(examples: Path) -> Path:
    """The examples, a copy of one under another file name (a duplicate name, and a name
    unlike its file) and a spec with a bad tier."""
    text = (examples / "recommender.yaml").read_text(encoding="utf-8")
    (examples / "recommender-copy.yaml").write_text(text, encoding="utf-8")
    broken = text.replace("tier: ", "tier: not-a-tier # ", 1)
    (examples / "broken.yaml").write_text(broken, encoding="utf-8")
    return examples


def test_validate_in_workers_prints_what_one_process_prints(
    troubled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alone = run_mlcp(["validate", str(troubled)])
    compile_only_in_workers(monkeypatch)  # workers even for five specs
    spread = run_mlcp(["validate", str(troubled)])
    assert "MLCP401" in spread.stdout and "MLCP402" in spread.stdout
    assert (spread.code, spread.stdout, spread.stderr) == (alone.code, alone.stdout, alone.stderr)


def test_check_keeps_the_models_and_the_diagnostics_of_compile_paths(
    troubled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workers, "SERIAL_BELOW", 0)
    full = compile_paths([troubled])
    checked = workers.check([troubled], jobs=2)
    assert checked.diagnostics == full.diagnostics
    assert checked.models == full.models
    assert [c.shown for c in checked.compiled] == [c.shown for c in full.compiled]
    assert checked.valid_count == full.valid_count == 3
