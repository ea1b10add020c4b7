"""`mlcp plan` tells the reviewer about generated files that are not what the specs render:
a risk when someone edited, deleted or added one; a note when a spec changed and the
build was not run again."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.plan.repo import BASE_BRANCH, clone, commit_all, make_built_repo
from tests.spec.clirun import run_mlcp
from tests.test_buildcheck import RULES, file_added, replace_once, severity_none

RISK = "hand-edited generated file"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_built_repo(tmp_path_factory.mktemp("project") / "repo")


@pytest.fixture
def head(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = clone(project, tmp_path / "clone")
    monkeypatch.chdir(root)
    return root


def plan(fmt: str = "json", base: str | None = BASE_BRANCH) -> str:
    run = run_mlcp(["plan", *(["--base", base] if base else []), "--format", fmt])
    assert run.code == 0 and run.stderr == "", run.stderr
    return run.stdout


def plan_json(base: str | None = BASE_BRANCH) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(plan("json", base))
    return data


def test_a_hand_edited_file_is_a_risk_that_names_it(head: Path) -> None:
    severity_none(head)  # the manifest vouches for it: the plan does not care
    commit_all(head)
    data = plan_json()
    assert data["generated"] == [
        {"severity": "risk", "path": "build/manifest.json", "problem": RISK},
        {"severity": "risk", "path": RULES, "problem": RISK},
    ]
    assert data["summary"]["risks"] == 2
    assert data["models"] == []  # no spec changed: the spec diff alone would show nothing
    assert f"  risk: {RISK}: {RULES}\n" in plan("text")
    assert f"- ⚠️ **risk**: {RISK}: `{RULES}`\n" in plan("markdown")


def test_without_a_base_every_difference_is_a_risk(head: Path) -> None:
    severity_none(head)
    assert plan_json(None)["generated"] == [
        {"severity": "risk", "path": "build/manifest.json", "problem": RISK},
        {"severity": "risk", "path": RULES, "problem": RISK},
    ]


def test_a_file_no_spec_makes_is_a_risk(head: Path) -> None:
    file_added(head)
    assert plan_json()["generated"] == [
        {
            "severity": "risk",
            "path": "build/monitoring/prometheus/extra.rules.yml",
            "problem": "file no spec makes, added to the generated output",
        }
    ]


def test_a_spec_changed_without_a_build_is_a_note_not_a_risk(head: Path) -> None:
    replace_once(
        head / "specs/fraud-detector.yaml", "{name: recall, min: 0.85", "{name: recall, min: 0.8"
    )
    commit_all(head)
    generated = plan_json()["generated"]
    paths = {g["path"] for g in generated}
    assert RULES in paths and "build/manifest.json" in paths
    assert {g["severity"] for g in generated} == {"note"}


def test_a_spec_changed_and_built_has_nothing_to_say_about_generated_files(
    head: Path,
) -> None:
    replace_once(
        head / "specs/fraud-detector.yaml", "{name: recall, min: 0.85", "{name: recall, min: 0.8"
    )
    assert run_mlcp(["build", "-j", "1"]).code == 0
    commit_all(head)
    data = plan_json()
    assert data["generated"] == []
    assert [m["name"] for m in data["models"]] == ["fraud-detector"]


def test_a_hostile_file_name_stays_inside_its_code_span(head: Path) -> None:
    (head / "build/runbooks/a``b <!--.md").write_text("x\n", encoding="utf-8")
    shown = "build/runbooks/a``b <!--.md"
    assert f"- ⚠️ **risk**: file no spec makes, added to the generated output: ```{shown}```\n" in (
        plan("markdown")
    )


def test_a_link_no_spec_makes_is_a_risk_not_a_file_left_unbuilt(head: Path) -> None:
    """A committed symbolic link under build/ that the base does not have: neither side has
    bytes to compare, which must not read as 'the same as the base'."""
    (head / "build/runbooks/extra.md").symlink_to("/etc/passwd")
    commit_all(head)
    assert plan_json()["generated"] == [
        {
            "severity": "risk",
            "path": "build/runbooks/extra.md",
            "problem": "file no spec makes, added to the generated output",
        }
    ]


def test_an_output_folder_linked_out_of_the_project_is_refused_naming_the_link(
    head: Path, tmp_path: Path
) -> None:
    """A committed `build -> elsewhere` would have the plan list files outside the project."""
    elsewhere = tmp_path / "elsewhere"
    (head / "build").rename(elsewhere)
    (elsewhere / "secret.txt").write_text("not the project's\n", encoding="utf-8")
    (head / "build").symlink_to(elsewhere, target_is_directory=True)
    run = run_mlcp(["plan", "--format", "json"])
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == "mlcp plan: refusing to build into build: build is a symbolic link\n"
