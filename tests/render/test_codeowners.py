"""CODEOWNERS read the way GitHub reads it: the last matching pattern names the owners."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pathspec
import yaml

from controlplane.build import build
from tests.conftest import ROOT, SPECS
from tests.spec.clirun import run_mlcp


def owners_by_github_rules(codeowners: str, path: str) -> list[str]:
    """GitHub's rule: each line is a gitignore pattern (matched here by pathspec, not by mlcp)
    and its owners, split on unescaped spaces; the last pattern that matches wins."""
    found: list[str] = []
    for line in codeowners.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        pattern, *owners = re.findall(r"(?:\\.|\S)+", line)
        if pathspec.PathSpec.from_lines("gitignore", [pattern]).match_file(path):
            found = owners
    return found


def written_owners(spec: Path) -> list[str]:
    return list(yaml.safe_load(spec.read_text(encoding="utf-8"))["metadata"]["owners"])


def test_each_spec_is_owned_by_its_metadata_owners_and_the_platform_by_its_own() -> None:
    text = (ROOT / ".github/CODEOWNERS").read_text(encoding="utf-8")
    platform = yaml.safe_load((SPECS / "mlcp.yaml").read_text())["platform_owners"]
    for spec in sorted(SPECS.glob("*.yaml")):
        if spec.name != "mlcp.yaml":
            path = f"specs/{spec.name}"
            assert owners_by_github_rules(text, path) == written_owners(spec), path
    for path in [
        "specs/mlcp.yaml",
        "infra/__main__.py",
        "infra/Pulumi.yaml",
        ".github/workflows/apply.yml",
    ]:
        assert owners_by_github_rules(text, path) == platform, path
    assert owners_by_github_rules(text, "README.md") == platform


def test_what_decides_the_code_apply_runs_is_owned_by_the_platform() -> None:
    """apply.yml installs mlcp and its dependencies from these files (a team's repository
    pins mlcp in requirements.txt, `mlcp init`): a pull request that changes them changes
    the code that runs with production's credentials, and needs the platform's review."""
    apply = (ROOT / ".github/workflows/apply.yml").read_text(encoding="utf-8")
    assert "-r requirements/ci.txt" in apply and "-r requirements/build.txt" in apply
    text = (ROOT / ".github/CODEOWNERS").read_text(encoding="utf-8")
    platform = yaml.safe_load((SPECS / "mlcp.yaml").read_text())["platform_owners"]
    for path in ["requirements/ci.txt", "requirements/build.txt", "requirements.txt"]:
        assert owners_by_github_rules(text, path) == platform, path


def test_every_file_no_spec_names_is_the_platforms() -> None:
    """mlcp's own code, pyproject.toml, the Makefile and scripts decide what plan and apply
    run: a path no rule names is the platform's, never nobody's."""
    text = (ROOT / ".github/CODEOWNERS").read_text(encoding="utf-8")
    platform = yaml.safe_load((SPECS / "mlcp.yaml").read_text())["platform_owners"]
    for path in ["pyproject.toml", "Makefile", "controlplane/cli.py", "scripts/lock", "x/y/z"]:
        assert owners_by_github_rules(text, path) == platform, path


def _spec_owners(specs: Path) -> dict[str, list[str]]:
    """Each model's owners, as its spec says, by model name."""
    found = {}
    for spec in specs.rglob("*.yaml"):
        if spec.name != "mlcp.yaml":
            metadata = yaml.safe_load(spec.read_text(encoding="utf-8"))["metadata"]
            found[metadata["name"]] = list(metadata["owners"])
    return found


def test_each_generated_file_is_owned_by_the_owners_of_the_spec_it_came_from() -> None:
    text = (ROOT / ".github/CODEOWNERS").read_text(encoding="utf-8")
    platform = yaml.safe_load((SPECS / "mlcp.yaml").read_text())["platform_owners"]
    owners = _spec_owners(SPECS)
    manifest = json.loads((ROOT / "build/manifest.json").read_text(encoding="utf-8"))
    assert {e["model"] for e in manifest["files"].values()} == {None, *owners}
    for path, entry in manifest["files"].items():
        expected = platform if entry["model"] is None else owners[entry["model"]]
        assert owners_by_github_rules(text, f"build/{path}") == expected, path
    for shared in ["build/manifest.json", "build/schema/model.v1.json", "build/new-file.txt"]:
        assert owners_by_github_rules(text, shared) == platform, shared


# Folder names that are CODEOWNERS syntax: an escaped space, a comment, a negation, a range,
# wildcards and an escape character.
HOSTILE = ["a b", "#team", "!bang", "[ab]", "*", "what?", "back\\slash", "x [y] #z !w"]


def test_hostile_folder_names_give_each_file_its_own_owners(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(SPECS, root / "specs")
    template = (SPECS / "fraud-detector.yaml").read_text(encoding="utf-8")
    for i, folder in enumerate(HOSTILE):
        text = template.replace("name: fraud-detector", f"name: hostile-{i}")
        text = text.replace('owners: ["@acme/risk-ml"]', f'owners: ["@acme/team-{i}"]')
        (root / "specs" / folder).mkdir()
        (root / "specs" / folder / f"hostile-{i}.yaml").write_text(text, encoding="utf-8")
    run = run_mlcp(["build", str(root / "specs")])
    assert run.code == 0, run.stdout
    text = (root / ".github/CODEOWNERS").read_text(encoding="utf-8")
    platform = yaml.safe_load((SPECS / "mlcp.yaml").read_text())["platform_owners"]
    owners = _spec_owners(root / "specs")
    for i, folder in enumerate(HOSTILE):
        path = f"specs/{folder}/hostile-{i}.yaml"
        assert owners_by_github_rules(text, path) == [f"@acme/team-{i}"], path
    manifest = json.loads((root / "build/manifest.json").read_text(encoding="utf-8"))
    for path, entry in manifest["files"].items():
        expected = platform if entry["model"] is None else owners[entry["model"]]
        assert owners_by_github_rules(text, f"build/{path}") == expected, path
    assert owners_by_github_rules(text, "specs/mlcp.yaml") == platform


def test_the_committed_codeowners_is_what_a_build_writes(tmp_path: Path) -> None:
    result = build([SPECS], tmp_path / "out", check=True, jobs=1)
    assert result.writes is not None
    assert [(e.path, e.status) for e in result.writes.owned] == [
        (".github/CODEOWNERS", "unchanged")
    ]


def project(tmp_path: Path) -> Path:
    shutil.copytree(SPECS, tmp_path / "specs")
    return tmp_path


def test_build_writes_codeowners_at_the_project_root_and_lists_it_in_the_manifest(
    tmp_path: Path,
) -> None:
    root = project(tmp_path)
    run = run_mlcp(["build", str(root / "specs")])
    assert run.code == 0, run.stdout
    written = root / ".github/CODEOWNERS"
    assert written.read_bytes() == (ROOT / ".github/CODEOWNERS").read_bytes()
    manifest = json.loads((root / "build/manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["owned"]) == {".github/CODEOWNERS"}
    assert ".github/CODEOWNERS" not in manifest["files"]


def test_check_reports_codeowners_out_of_date_after_an_owner_change(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert run_mlcp(["build", str(root / "specs")]).code == 0
    spec = root / "specs/fraud-detector.yaml"
    spec.write_text(spec.read_text().replace('"@acme/risk-ml"', '"@acme/fraud-ops"'))
    run = run_mlcp(["build", "--check", str(root / "specs")])
    assert run.code == 1
    assert "differs: " in run.stdout and ".github/CODEOWNERS" in run.stdout
    assert "@acme/risk-ml" in (root / ".github/CODEOWNERS").read_text()  # --check changes nothing
    assert run_mlcp(["build", str(root / "specs")]).code == 0
    text = (root / ".github/CODEOWNERS").read_text()
    assert owners_by_github_rules(text, "specs/fraud-detector.yaml") == ["@acme/fraud-ops"]


def test_a_look_alike_pattern_never_takes_another_teams_spec(tmp_path: Path) -> None:
    """`]` cannot be escaped, so `specs/x]/m.yaml` is written `specs/x?/m.yaml`, which also
    matches `specs/x-/m.yaml`: such patterns come first, so an exact line overrides them."""
    root = tmp_path / "project"
    shutil.copytree(SPECS, root / "specs")
    template = (SPECS / "fraud-detector.yaml").read_text(encoding="utf-8")
    for i, folder in enumerate(["x-", "x]"]):
        text = template.replace("name: fraud-detector", f"name: look-alike-{i}")
        text = text.replace('owners: ["@acme/risk-ml"]', f'owners: ["@acme/team-{i}"]')
        (root / "specs" / folder).mkdir()
        (root / "specs" / folder / "m.yaml").write_text(text, encoding="utf-8")
    assert run_mlcp(["build", str(root / "specs")]).code == 0
    text = (root / ".github/CODEOWNERS").read_text(encoding="utf-8")
    assert owners_by_github_rules(text, "specs/x-/m.yaml") == ["@acme/team-0"]
    assert owners_by_github_rules(text, "specs/x]/m.yaml") == ["@acme/team-1"]
