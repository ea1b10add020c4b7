"""The spec edit a proposal commits: the candidate and the rollout's first state, nothing else."""

from __future__ import annotations

import difflib

import pytest

from controlplane.compile import compile_sources
from controlplane.model import Model
from controlplane.pipeline.proposal import (
    candidate_artifact,
    edited_spec,
    first_state,
    next_version,
)
from controlplane.sources import Source
from tests.memory import EXAMPLE_TEXTS, example_sources


def _model(name: str) -> tuple[Model, Source]:
    specs, config = example_sources()
    result = compile_sources(specs, config)
    assert config is not None
    return next(m for m in result.models if m.name == name), config


@pytest.mark.parametrize(
    ("name", "state", "version"),
    [
        # specs/: fraud-detector rolls 1.5.0 out in shadow; demand-forecast (3.2.1) has no
        # shadow phase and stages [25, 100]; recommender rolls 7.1.0 out at canary-25.
        ("fraud-detector", "shadow", "1.6.0"),
        ("demand-forecast", "canary-25", "3.3.0"),
        ("recommender", "shadow", "7.2.0"),
    ],
)
def test_the_candidate_starts_at_the_first_state_after_stable(
    name: str, state: str, version: str
) -> None:
    model, config = _model(name)
    assert first_state(model) == state
    assert next_version(model, "run") == version
    candidate = candidate_artifact(model, version)
    text = EXAMPLE_TEXTS[f"{name}.yaml"]
    edited = edited_spec(Source(f"specs/{name}.yaml", text), config, candidate, state)
    changed = [
        line
        for line in difflib.unified_diff(text.splitlines(), edited.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    added = [line[1:].strip() for line in changed if line.startswith("+")]
    assert f"version: {version}" in added
    assert all(
        line.split(":")[0].strip("+- ") in {"candidate", "version", "image", "model_data", "state"}
        for line in changed
    ), changed
    result = compile_sources([Source(f"specs/{name}.yaml", edited)], config)
    assert result.ok, result.diagnostics
    rollout = result.compiled[0].model.rollout
    assert rollout.state == state
    assert rollout.candidate is not None and rollout.candidate.version == version
    assert rollout.candidate.image.endswith(f":{version}")
