"""Golden files: every monitoring artifact of the three example specs.

Regenerate with `pytest --update-golden` (or `make golden`) and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from controlplane.render.monitoring import render
from tests.conftest import ROOT
from tests.golden import match_tree
from tests.render.monitoring_files import compiled_examples

GOLDEN = ROOT / "tests/golden/monitoring"


def test_example_monitoring_matches_golden(
    monkeypatch: pytest.MonkeyPatch, update_golden: bool
) -> None:
    models, config = compiled_examples(monkeypatch)
    artifacts = {a.path.removeprefix("monitoring/"): a.content for a in render(models, config)}
    match_tree(GOLDEN, artifacts, update_golden)


def test_golden_files_cover_every_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    models, config = compiled_examples(monkeypatch)
    paths = {Path(a.path).name for a in render(models, config)}
    for name in ("demand-forecast", "fraud-detector", "recommender"):
        assert {f"{name}.rules.yml", f"{name}.test.yml", f"{name}.json"} <= paths
    assert "alertmanager.yml" in paths
