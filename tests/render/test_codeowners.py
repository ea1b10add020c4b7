"""CODEOWNERS read the way GitHub reads it: the last matching pattern names the owners."""

from __future__ import annotations

import fnmatch
import json
import shutil
from pathlib import Path

import yaml

from controlplane.build import build
from tests.conftest import ROOT, SPECS
from tests.spec.clirun import run_mlcp


def owners_by_github_rules(codeowners: str, path: str) -> list[str]:
    """GitHub's rule for the patterns mlcp writes: anchored paths, a trailing / is a folder,
    the last match wins."""
    found: list[str] = []
    for line in codeowners.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        pattern, *owners = line.split()
        anchored = pattern.lstrip("/")
        if anchored.endswith("/"):
            matched = path.startswith(anchored)
        else:
            matched = fnmatch.fnmatchcase(path, anchored)
        if matched:
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
    assert owners_by_github_rules(text, "README.md") == []


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
