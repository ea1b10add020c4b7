"""apply refuses, before changing anything, a tree or build that is not what was reviewed."""

from __future__ import annotations

from pathlib import Path

import pytest

from controlplane.apply.checks import check_ready
from controlplane.apply.errors import ApplyRefused
from tests.apply.project import git, make_project


@pytest.fixture
def specs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # paths in messages are shown from where the person stands
    return make_project(tmp_path)


def test_a_committed_built_project_is_ready(specs: Path) -> None:
    ready = check_ready(specs)
    head = git(specs.parent, "rev-parse", "HEAD").strip()
    assert ready.commit == head[:12]
    assert ready.root == specs.parent.resolve()
    assert ready.lines[0] == f"git tree clean at {head[:12]}"
    assert ready.config.region == "eu-west-1"  # from the example mlcp.yaml


def test_an_uncommitted_edit_is_refused_and_named(specs: Path) -> None:
    with (specs / "recommender.yaml").open("a") as handle:
        handle.write("# tweak\n")
    with pytest.raises(ApplyRefused, match=r"uncommitted changes \(specs/recommender.yaml\)"):
        check_ready(specs)


def test_an_untracked_file_is_refused(specs: Path) -> None:
    (specs / "new-model.yaml").write_text("apiVersion: mlcp/v1\n")
    with pytest.raises(ApplyRefused, match=r"specs/new-model\.yaml"):
        check_ready(specs)


def test_a_committed_spec_change_without_its_build_is_refused(specs: Path) -> None:
    spec = specs / "fraud-detector.yaml"
    spec.write_text(spec.read_text().replace("p99: 150ms", "p99: 120ms"))
    git(specs.parent, "commit", "--quiet", "--all", "--message", "tighter p99")
    with pytest.raises(ApplyRefused, match="out of date") as caught:
        check_ready(specs)
    assert str(caught.value).startswith("build is out of date (differs: ")
    assert "differs: build/monitoring/grafana/fraud-detector.json; " in str(caught.value)
    assert "run `mlcp build` and commit the result" in str(caught.value)


def test_a_spec_that_does_not_compile_is_refused(specs: Path) -> None:
    spec = specs / "fraud-detector.yaml"
    spec.write_text(spec.read_text().replace("tier: critical", "tier: vital"))
    git(specs.parent, "commit", "--quiet", "--all", "--message", "broken")
    with pytest.raises(ApplyRefused, match=r"do not compile \(1 error\)"):
        check_ready(specs)


def test_a_folder_outside_git_is_refused(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    with pytest.raises(ApplyRefused, match="not in a git checkout"):
        check_ready(tmp_path / "specs")
