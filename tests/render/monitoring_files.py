"""Helpers for monitoring tests: compile the examples, write artifacts to a folder."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from controlplane.compile import compile_paths
from controlplane.model import Config, Model
from controlplane.render import Artifact
from controlplane.render.monitoring import render
from tests.conftest import ROOT

EXAMPLES = ("demand-forecast", "fraud-detector", "recommender")


def compiled_examples(monkeypatch: pytest.MonkeyPatch) -> tuple[tuple[Model, ...], Config]:
    """The example specs compiled from the repository root, as `mlcp build` sees them."""
    monkeypatch.chdir(ROOT)
    compilation = compile_paths([Path("specs")])
    assert compilation.ok, compilation.diagnostics
    return compilation.models, compilation.config


def write(artifacts: Sequence[Artifact], folder: Path) -> Path:
    for artifact in artifacts:
        target = folder / artifact.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(artifact.content, encoding="utf-8")
    return folder / "monitoring"


def written(models: Sequence[Model], config: Config, folder: Path) -> Path:
    return write(render(models, config), folder)
