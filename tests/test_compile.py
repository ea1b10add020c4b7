"""The compiler on sources: texts from memory or a git object go through the same load and check."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from controlplane.compile import compile_paths, compile_sources
from controlplane.diagnostics import format_diagnostics
from controlplane.sources import Source
from tests.conftest import SPECS, require_tool
from tests.memory import EXAMPLE_TEXTS, edited, example_sources, line_and_col

FRAUD = "fraud-detector.yaml"


def test_examples_from_memory_compile_to_the_same_models_as_from_disk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(SPECS)  # a working folder that is not the repository root
    specs, config = example_sources()
    from_memory = compile_sources(specs, config)
    from_disk = compile_paths([SPECS])
    assert from_memory.diagnostics == from_disk.diagnostics == []
    assert from_memory.models == from_disk.models
    assert [m.source for m in from_memory.models] == [
        "specs/demand-forecast.yaml",
        "specs/fraud-detector.yaml",
        "specs/recommender.yaml",
    ]
    assert from_memory.config.source == "specs/mlcp.yaml"


def test_text_and_bytes_are_one_source() -> None:
    specs, config = example_sources()
    as_bytes = [Source(s.path, s.raw()) for s in specs]
    assert compile_sources(as_bytes, config).models == compile_sources(specs, config).models


def test_a_diagnostic_names_the_source_and_points_at_the_text() -> None:
    text = edited(FRAUD, "stages: [5, 25, 100]", "stages: [5, 50, 25]")
    line, col = line_and_col(text, "stages: [5, 50, 25]", at="[")
    specs, config = example_sources(fraud_detector=text)
    result = compile_sources(specs, config)
    assert format_diagnostics(result.diagnostics, "text") == (
        f"specs/fraud-detector.yaml:{line}:{col}: error MLCP204: rollout.stages must increase "
        "and end at 100 (got [5, 50, 25])\n"
        "    hint: list traffic percentages in increasing order, e.g. [5, 25, 100]"
    )
    assert result.valid_count == 2


def test_diagnostics_print_the_display_name_and_the_model_keeps_the_stable_one() -> None:
    text = edited(FRAUD, "stages: [5, 25, 100]", "stages: [5, 50, 25]")
    broken = Source("specs/fraud-detector.yaml", text, display="../repo/specs/fraud-detector.yaml")
    clean = Source("specs/recommender.yaml", EXAMPLE_TEXTS["recommender.yaml"], display="x.yaml")
    _, config = example_sources()
    result = compile_sources([broken, clean], config)
    assert [d.file for d in result.diagnostics] == ["../repo/specs/fraud-detector.yaml"]
    assert [m.source for m in result.models] == ["specs/recommender.yaml"]
    assert result.valid_count == 1


def test_tier_defaults_come_from_the_config_source() -> None:
    # fraud-detector is critical; mlcp.yaml's critical defaults say availability: 99.9%.
    text = edited(FRAUD, "  availability: 99.9%\n", "")
    specs, config = example_sources(fraud_detector=text)
    fraud = next(m for m in compile_sources(specs, config).models if m.name == "fraud-detector")
    assert fraud.sla.availability == pytest.approx(0.999)
    alone = next(m for m in compile_sources(specs).models if m.name == "fraud-detector")
    assert alone.sla.availability is None


def test_undecodable_bytes_are_a_located_diagnostic() -> None:
    source = Source("specs/x.yaml", "a: 1\nteam: croissé\n".encode("latin-1"))
    result = compile_sources([source])
    assert [(d.file, d.line, d.col, d.code) for d in result.diagnostics] == [
        ("specs/x.yaml", 2, 13, "MLCP101")  # é is the 13th character
    ]


def test_no_sources_is_mlcp403() -> None:
    _, config = example_sources()
    result = compile_sources([], config)
    assert [(d.file, d.code, d.message) for d in result.diagnostics] == [
        ("specs/mlcp.yaml", "MLCP403", "no model specs found")
    ]


def test_the_same_name_twice_is_mlcp401_naming_the_other_source() -> None:
    specs, config = example_sources()
    copy = Source("specs/fraud-copy.yaml", EXAMPLE_TEXTS[FRAUD])
    result = compile_sources([*specs, copy], config)
    messages = {(d.file, d.code, d.message) for d in result.diagnostics}
    assert (
        "specs/fraud-copy.yaml",
        "MLCP401",
        "model name 'fraud-detector' is already used by specs/fraud-detector.yaml",
    ) in messages


def _git(repo: Path, *args: str) -> bytes:
    git = require_tool("git")
    run = subprocess.run([git, *args], cwd=repo, check=True, capture_output=True)
    return run.stdout


def test_a_base_ref_compiles_from_git_objects_without_a_checkout(tmp_path: Path) -> None:
    """What `mlcp plan` does: the base of a pull request read from git, not from disk."""
    repo = tmp_path / "repo"
    (repo / "specs").mkdir(parents=True)
    for name, text in EXAMPLE_TEXTS.items():
        (repo / "specs" / name).write_text(text, encoding="utf-8")
    _git(repo, "init", "-q")
    _git(repo, "add", "specs")
    identity = ["-c", "user.name=t", "-c", "user.email=t@example.com"]
    _git(repo, *identity, "commit", "-q", "-m", "base")
    # The working tree moves on: the fraud detector is gone, the recommender rolls back.
    (repo / "specs" / FRAUD).unlink()
    head = repo / "specs" / "recommender.yaml"
    head.write_text(head.read_text().replace("state: canary-25", "state: stable"))

    listed = _git(repo, "ls-tree", "-r", "--name-only", "HEAD", "specs/").decode().split()
    base = {path: _git(repo, "cat-file", "blob", f"HEAD:{path}") for path in listed}
    config = Source("specs/mlcp.yaml", base.pop("specs/mlcp.yaml"))
    result = compile_sources([Source(p, raw) for p, raw in sorted(base.items())], config)

    assert result.diagnostics == []
    assert [m.name for m in result.models] == ["demand-forecast", "fraud-detector", "recommender"]
    recommender = next(m for m in result.models if m.name == "recommender")
    assert recommender.rollout.state == "canary-25"


@pytest.mark.parametrize(
    ("name", "state", "after"),
    [
        ("fraud-detector", "shadow", "canary-5"),  # stages [5, 25, 100], a shadow phase
        ("recommender", "canary-25", "full"),
        ("demand-forecast", "stable", "canary-25"),  # stages [25, 100], no shadow phase
    ],
)
def test_each_example_knows_its_next_state(name: str, state: str, after: str) -> None:
    specs, config = example_sources()
    model = next(m for m in compile_sources(specs, config).models if m.name == name)
    assert model.rollout.state == state
    assert model.rollout.states.next(state) == after


def test_a_batch_schedule_is_normalized_in_the_model() -> None:
    text = edited("demand-forecast.yaml", 'schedule: "0 3 * * *"', 'schedule: "@weekly"')
    specs, config = example_sources(demand_forecast=text)
    model = next(m for m in compile_sources(specs, config).models if m.name == "demand-forecast")
    assert (model.serving.schedule, model.serving.cron) == ("@weekly", "0 0 * * 0")
    assert model.serving.eventbridge_schedule == "cron(0 0 ? * 1 *)"  # EventBridge: 1 is Sunday
    realtime = next(m for m in compile_sources(specs, config).models if m.name == "recommender")
    assert (realtime.serving.cron, realtime.serving.eventbridge_schedule) == (None, None)


def test_the_order_of_the_sources_does_not_matter() -> None:
    specs, config = example_sources()
    copy = Source("specs/aaa-fraud-copy.yaml", EXAMPLE_TEXTS[FRAUD])
    forward = compile_sources([*specs, copy], config)
    backward = compile_sources([copy, *reversed(specs)], config)
    assert forward.models == backward.models
    assert forward.diagnostics == backward.diagnostics


@pytest.mark.parametrize(
    ("tier", "urgency"), [("critical", "high"), ("standard", "high"), ("experimental", "low")]
)
def test_urgency_left_out_everywhere_follows_the_tier(tier: str, urgency: str) -> None:
    # With no mlcp.yaml and no oncall.urgency, an experimental model's page wakes no one.
    text = edited("demand-forecast.yaml", "  urgency: low\n", "")
    text = text.replace("tier: standard", f"tier: {tier}", 1)
    specs, _ = example_sources(demand_forecast=text)
    result = compile_sources(specs)
    forecast = next(m for m in result.models if m.name == "demand-forecast")
    assert forecast.oncall.urgency == urgency
