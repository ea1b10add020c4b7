"""`mlcp init`: a team's repository that validates, builds and plans at once, with this
repository's own Pulumi program and GitOps workflows; it never overwrites a file."""

from __future__ import annotations

from pathlib import Path

import git
import pytest

from controlplane import __version__
from tests.conftest import ROOT
from tests.spec.clirun import run_mlcp


def _initialized(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "models"
    git.Repo.init(root, initial_branch="main")
    monkeypatch.chdir(root)
    created = run_mlcp(["init", "--team", "growth-ml"])
    assert (created.code, created.stderr) == (0, ""), created.stderr
    return root


def test_the_repository_validates_builds_and_plans_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _initialized(tmp_path, monkeypatch)
    validated = run_mlcp(["validate"])
    assert validated.code == 0, validated.stdout
    # Only the starter's placeholders are questioned (MLCP299), as after `mlcp new`.
    assert validated.stdout.splitlines()[-1] == "1 valid spec; 0 errors, 7 warnings"
    built = run_mlcp(["build"])
    assert built.code == 0, built.stdout + built.stderr
    assert (root / "build" / "manifest.json").is_file()
    assert (root / ".github" / "CODEOWNERS").is_file()
    assert run_mlcp(["build", "--check"]).code == 0
    planned = run_mlcp(["plan"])
    assert planned.code == 0, planned.stdout + planned.stderr
    assert planned.stdout.startswith("Plan against an empty tree: 1 to create,")


def test_it_writes_the_layout_the_readme_section_describes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _initialized(tmp_path, monkeypatch)
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert [f for f in files if not f.startswith(".git/")] == [
        ".github/workflows/apply.yml",
        ".github/workflows/plan-comment.yml",
        ".github/workflows/plan.yml",
        "README.md",
        "infra/Pulumi.yaml",
        "infra/__main__.py",
        "requirements.txt",
        "requirements/build.txt",
        "requirements/ci.txt",
        "specs/example-model.yaml",
        "specs/mlcp.yaml",
    ]
    assert (root / "requirements.txt").read_text(encoding="utf-8") == f"mlcp=={__version__}\n"
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("## Models: mlcp\n")
    for command in ("mlcp new", "mlcp validate", "mlcp build", "mlcp plan", "mlcp apply"):
        assert command in readme, command


def test_infra_and_workflows_are_this_repositorys_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _initialized(tmp_path, monkeypatch)
    for name in ("Pulumi.yaml", "__main__.py"):
        assert (root / "infra" / name).read_bytes() == (ROOT / "infra" / name).read_bytes()
    # Where this repository installs (or builds a wheel of) its own source, a team's copy
    # installs the pin in requirements.txt; nothing else changes.
    own_installs = {
        "plan.yml": ["python -m pip install --no-deps --no-build-isolation ."],
        "apply.yml": ["python -m pip wheel --no-deps --no-build-isolation -w wheels ."],
        "plan-comment.yml": [],
    }
    for name, lines in own_installs.items():
        own = (ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8")
        expected = own
        for line in lines:
            assert own.count(f" {line}\n") == 1, (name, line)
            expected = expected.replace(f" {line}\n", f" {line[:-1]}-r requirements.txt\n")
        written = (root / ".github" / "workflows" / name).read_text(encoding="utf-8")
        assert written == expected, name
    for name in ("build.txt", "ci.txt"):
        lock = (ROOT / "requirements" / name).read_bytes()
        assert (root / "requirements" / name).read_bytes() == lock


def test_an_existing_readme_gets_the_section_appended(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "README.md").write_text("# Our models\n\nHello.\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert run_mlcp(["init"]).code == 0
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("# Our models\n\nHello.\n\n## Models: mlcp\n")


def test_it_refuses_to_overwrite_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "mlcp.yaml").write_text("apiVersion: mlcp/v1\n", encoding="utf-8")
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "__main__.py").write_text("print('ours')\n", encoding="utf-8")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    result = run_mlcp(["init", str(tmp_path)])
    assert (result.code, result.stdout) == (2, "")
    assert result.stderr == (
        f"mlcp init: {tmp_path.as_posix()} already has infra/__main__.py, specs/mlcp.yaml;"
        " nothing was written (move them aside, or start in an empty folder)\n"
    )
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_a_second_init_refuses_the_readme_section_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run_mlcp(["init"]).code == 0
    again = run_mlcp(["init"])
    assert again.code == 2
    assert "README.md (its mlcp section)" in again.stderr


def test_a_region_that_is_not_one_is_refused_and_nothing_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    run = run_mlcp(["init", "--region", "eu-west-1\nevil: true"])
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == (
        "mlcp init: invalid region 'eu-west-1\\nevil: true': an AWS region such as eu-west-1\n"
    )
    assert list(tmp_path.iterdir()) == []
