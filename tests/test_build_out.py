"""`mlcp build` writes only inside its output folder: build.out lies inside the project,
apart from the specs; no link in the tree is written through; a crafted manifest
cannot make a build remove anything it did not make."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import SPECS
from tests.spec.clirun import Run, run_mlcp

MAKEFILE = b"all:\n\tpytest\n"
WORKFLOW = b"on: push\njobs: {}\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project: the example specs, a Makefile and a workflow; the working folder."""
    root = tmp_path / "project"
    shutil.copytree(SPECS, root / "specs")
    (root / "Makefile").write_bytes(MAKEFILE)
    (root / ".github/workflows").mkdir(parents=True)
    (root / ".github/workflows/apply.yml").write_bytes(WORKFLOW)
    monkeypatch.chdir(root)
    return root


def set_out(project: Path, out: str) -> tuple[int, int]:
    """Set build.out in the project's mlcp.yaml; the line and column of the value."""
    config = project / "specs/mlcp.yaml"
    text = config.read_text(encoding="utf-8")
    assert text.count("  out: build\n") == 1
    config.write_text(text.replace("  out: build\n", f"  out: {out}\n"), encoding="utf-8")
    lines = text.splitlines()
    return lines.index("  out: build") + 1, len("  out: ") + 1


def crafted_manifest(folder: Path, paths: list[str]) -> None:
    """A manifest that lists the project's own files, each with its true digest and size."""
    files = {}
    for path, content in [(p, MAKEFILE if p.endswith("Makefile") else WORKFLOW) for p in paths]:
        files[path] = {
            "model": None,
            "sha256": hashlib.sha256(content).hexdigest(),
            "size": len(content),
        }
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").write_text(json.dumps({"files": files}), encoding="utf-8")


def assert_untouched(project: Path) -> None:
    assert (project / "Makefile").read_bytes() == MAKEFILE
    assert (project / ".github/workflows/apply.yml").read_bytes() == WORKFLOW


def build(*args: str) -> Run:
    return run_mlcp(["build", "specs", "--jobs", "1", *args])


@pytest.mark.parametrize(
    ("out", "message"),
    [
        (
            "../elsewhere",
            "build.out '../elsewhere' goes up with '..': the output folder lies inside the project",
        ),
        (".", "build.out '.' is the project root: a build owns its output folder"),
        ("specs", "build.out 'specs' holds the specs folder specs/"),
        ("specs/build", "build.out 'specs/build' lies inside the specs folder specs/"),
        (
            "{outside}",
            "build.out '{outside}' is absolute: the output folder lies inside the project",
        ),
    ],
)
def test_build_out_outside_the_project_or_over_the_specs_is_located(
    project: Path, out: str, message: str
) -> None:
    outside = project.parent / "outside"
    out, message = out.format(outside=outside), message.format(outside=outside)
    line, col = set_out(project, out)
    crafted_manifest(project / "specs", ["Makefile", "../Makefile"])
    crafted_manifest(project, ["Makefile", ".github/workflows/apply.yml"])
    before = sorted(p.relative_to(project.parent) for p in project.parent.rglob("*"))
    run = build()
    assert run.code == 1
    assert run.stdout.splitlines()[:2] == [
        f"specs/mlcp.yaml:{line}:{col}: error MLCP499: {message}",
        "    hint: name a folder below the project root, beside the specs folder: build",
    ]
    assert sorted(p.relative_to(project.parent) for p in project.parent.rglob("*")) == before
    assert_untouched(project)


def test_validate_reports_build_out_too(project: Path) -> None:
    line, col = set_out(project, "../elsewhere")
    run = run_mlcp(["validate", "specs"])
    assert run.code == 1
    assert f"specs/mlcp.yaml:{line}:{col}: error MLCP499: build.out '../elsewhere'" in run.stdout


def test_a_build_out_reached_through_a_link_is_refused(project: Path) -> None:
    (project / "build").symlink_to(project, target_is_directory=True)
    crafted_manifest(project, ["Makefile", ".github/workflows/apply.yml"])
    run = build()
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == "mlcp build: refusing to build into build: build is a symbolic link\n"
    assert_untouched(project)


@pytest.mark.parametrize("out", [".", "specs", "specs/out"])
def test_out_option_may_not_be_the_project_root_or_among_the_specs(project: Path, out: str) -> None:
    crafted_manifest(project / out, ["Makefile", ".github/workflows/apply.yml", "../Makefile"])
    run = build("--out", out)
    assert run.code == 2
    assert run.stderr.startswith(f"mlcp build: refusing to build into {out}: ")
    assert_untouched(project)
    assert not (project / out / "alertmanager.yml").exists()


def test_a_committed_link_at_the_old_temporary_name_is_not_written_through(project: Path) -> None:
    assert build().code == 0
    other = project / "other-spec/mlcp.yaml"  # another spec folder's config, outside build/
    other.parent.mkdir()
    other.write_bytes(b"apiVersion: mlcp/v1\nkind: Config\n")
    runbook = project / "build/runbooks/fraud-detector.md"
    runbook.write_text("edited\n", encoding="utf-8")
    (project / "build/runbooks/fraud-detector.md.tmp").symlink_to(other)
    run = build()
    assert run.code == 0, run.stderr
    assert other.read_bytes() == b"apiVersion: mlcp/v1\nkind: Config\n"
    assert "\n# Runbook: fraud-detector\n" in runbook.read_text(encoding="utf-8")
    assert not runbook.is_symlink()


def test_a_linked_folder_inside_the_output_is_refused(project: Path, tmp_path: Path) -> None:
    assert build().code == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.rmtree(project / "build/runbooks")
    (project / "build/runbooks").symlink_to(elsewhere, target_is_directory=True)
    run = build()
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr.startswith("mlcp build: refusing to write build/runbooks/")
    assert run.stderr.endswith(": build/runbooks is a symbolic link\n")
    assert list(elsewhere.iterdir()) == []


def test_a_crafted_manifest_removes_nothing_outside_the_output(project: Path) -> None:
    """With out: build, a manifest lists the project's Makefile and workflow, with their
    true digests: through `..`, through a link build/.github -> ../.github, and as
    a file build/.github/... that a person put there."""
    assert build().code == 0
    crafted_manifest(project / "build", ["../Makefile", ".github/workflows/apply.yml"])
    assert build().code == 0
    (project / "build/.github").symlink_to(project / ".github", target_is_directory=True)
    crafted_manifest(project / "build", [".github/workflows/apply.yml", "x\x1b/Makefile"])
    run = build()
    assert run.code == 0, run.stderr
    assert_untouched(project)
    (project / "build/.github").unlink()
    (project / "build/.github/workflows").mkdir(parents=True)
    kept = project / "build/.github/workflows/apply.yml"
    kept.write_bytes(b"a person's file\n")
    crafted_manifest(project / "build", [".github/workflows/apply.yml"])
    assert build().code == 0
    assert kept.read_bytes() == b"a person's file\n"
    assert_untouched(project)


def test_a_stale_file_the_last_build_made_is_still_removed(project: Path) -> None:
    """A file of a model whose spec is gone, as the manifest recorded it."""
    assert build().code == 0
    manifest = json.loads((project / "build/manifest.json").read_text(encoding="utf-8"))
    stale = project / "build/monitoring/old.yml"
    stale.write_bytes(b"old: true\n")
    digest = hashlib.sha256(b"old: true\n").hexdigest()
    manifest["files"]["monitoring/old.yml"] = {"model": "retired", "sha256": digest, "size": 10}
    (project / "build/manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    run = build()
    assert run.code == 0, run.stderr
    assert "1 removed" in run.stdout
    assert not stale.exists()


def test_a_linked_folder_holding_the_very_files_is_refused_too(
    project: Path, tmp_path: Path
) -> None:
    """The build cache would keep files it finds intact: not through a link."""
    assert build().code == 0
    elsewhere = tmp_path / "elsewhere"
    shutil.move(project / "build/runbooks", elsewhere)
    (project / "build/runbooks").symlink_to(elsewhere, target_is_directory=True)
    before = {p.name: p.read_bytes() for p in elsewhere.iterdir()}
    for check in ([], ["--check"]):
        run = build(*check)
        assert (run.code, run.stdout) == (2, "")
        assert run.stderr.startswith("mlcp build: refusing to write build/runbooks/")
        assert run.stderr.endswith(": build/runbooks is a symbolic link\n")
    assert {p.name: p.read_bytes() for p in elsewhere.iterdir()} == before


def test_an_edited_stale_file_is_kept_and_named(project: Path) -> None:
    """A file the last manifest lists, that no spec makes now and that was edited since:
    --check fails naming it (stale: the check trusts no manifest); a build leaves it in
    place and says so."""
    assert build().code == 0
    manifest = json.loads((project / "build/manifest.json").read_text(encoding="utf-8"))
    digest = hashlib.sha256(b"old: true\n").hexdigest()
    manifest["files"]["monitoring/old.yml"] = {"model": "retired", "sha256": digest, "size": 10}
    (project / "build/manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    edited = project / "build/monitoring/old.yml"
    edited.write_bytes(b"new: true\n")
    check = build("--check")
    assert check.code == 1
    assert "build is out of date" in check.stdout
    assert "  stale: build/monitoring/old.yml\n" in check.stdout
    run = build()
    assert run.code == 0, run.stderr
    kept = (
        "  kept build/monitoring/old.yml: no spec makes it now, but it changed since mlcp wrote it"
    )
    assert kept in run.stdout.splitlines()
    assert edited.read_bytes() == b"new: true\n"


@pytest.mark.parametrize("out", [".github", ".github/workflows"])
def test_a_crafted_manifest_in_a_folder_of_the_project_removes_none_of_its_files(
    project: Path, out: str
) -> None:
    """build.out may name a folder that already holds the project's own files, such as
    .github. A manifest put there vouches for the workflow with its true digest: the
    build removes only files in the folders that builds make (monitoring/, runbooks/, …),
    never one such as workflows/apply.yml or a file beside the manifest."""
    set_out(project, out)
    crafted_manifest(project / out, ["workflows/apply.yml", "apply.yml"])
    run = build()
    assert run.code == 0, run.stderr
    assert ", 0 removed)" in run.stdout.splitlines()[1]
    assert_untouched(project)
