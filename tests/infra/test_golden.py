"""Golden resources.json of the example specs (pins the bytes; the other tests say why).

Regenerate with `pytest --update-golden` (or `make golden`) and review the diff.
"""

from __future__ import annotations

import pytest

from controlplane.compile import compile_paths
from controlplane.infra import preview_offline
from controlplane.infra.records import document
from tests.conftest import ROOT
from tests.golden import match_file

GOLDEN = ROOT / "tests/golden/infra/resources.json"


def test_example_resources_match_golden(
    monkeypatch: pytest.MonkeyPatch, update_golden: bool
) -> None:
    monkeypatch.chdir(ROOT)
    compilation = compile_paths(["specs"])
    assert compilation.ok, compilation.diagnostics
    text = document(preview_offline(compilation.models, compilation.config))
    match_file(GOLDEN, text, update_golden)
