"""`mlcp build --check` trusts nothing a pull request can change: each tampering of the
committed build fails it, naming the file, with or without the base revision."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

import git
import pytest

from controlplane.build import build
from controlplane.buildcache import SHARED
from controlplane.infra import artifacts as infra
from controlplane.render import jsonwrite
from controlplane.workers import check as compile_specs
from tests.plan.repo import BASE_BRANCH as BASE
from tests.plan.repo import clone as clone_repo
from tests.plan.repo import commit_all, make_built_repo
from tests.spec.clirun import Run, run_mlcp

RULES = "build/monitoring/prometheus/fraud-detector.rules.yml"
RUNBOOK = "build/runbooks/fraud-detector.md"
ALERTMANAGER = "build/monitoring/alertmanager.yml"
INFRA = "build/infra/models/recommender.json"
MANIFEST = "build/manifest.json"
Tamper = Callable[[Path], None]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project with its build, committed on `base`: built once, each test clones it."""
    return make_built_repo(tmp_path_factory.mktemp("project") / "repo")


@pytest.fixture
def clone(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh clone of the project, as the working folder."""
    root = clone_repo(project, tmp_path / "clone")
    monkeypatch.chdir(root)
    return root


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def vouch(root: Path, relative: str) -> None:
    """Record a file's new sha256 and size in the manifest, as a careful forger would."""
    manifest_path = root / MANIFEST
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    data = (root / relative).read_bytes()
    entry = manifest["files"][relative.removeprefix("build/")]
    entry["sha256"], entry["size"] = hashlib.sha256(data).hexdigest(), len(data)
    manifest_path.write_text(jsonwrite.dumps(manifest), encoding="utf-8")


def severity_none(root: Path) -> None:
    replace_once(root / RULES, "severity: page", "severity: none")
    vouch(root, RULES)


def runbook_step(root: Path) -> None:
    replace_once(root / RUNBOOK, "roll back a candidate that took traffic", "wait and see")
    vouch(root, RUNBOOK)


def unrouted_pages(root: Path) -> None:
    replace_once(root / ALERTMANAGER, "receiver: fraud-detector-page", "receiver: mlcp-unrouted")
    vouch(root, ALERTMANAGER)


def manifest_entry_deleted(root: Path) -> None:
    manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    del manifest["files"]["runbooks/recommender.md"]
    (root / MANIFEST).write_text(jsonwrite.dumps(manifest), encoding="utf-8")


def same_size_older(root: Path) -> None:
    """An edit of the same size, older than the manifest, as a checkout can leave it."""
    path = root / INFRA
    before = path.stat().st_size
    replace_once(path, '"type": "aws:', '"type": "gcp:')
    assert path.stat().st_size == before
    older = (root / MANIFEST).stat().st_mtime_ns - 10**9
    os.utime(path, ns=(older, older))


def file_added(root: Path) -> None:
    (root / "build/monitoring/prometheus/extra.rules.yml").write_text(
        "groups: []\n", encoding="utf-8"
    )


# Each tampering, and the line the check must print for it (the oracle: the file a person
# edited, stated as docs/commands.md and docs/build.md state its kinds).
TAMPERINGS: dict[str, tuple[Tamper, str]] = {
    "severity edited, manifest updated": (severity_none, f"differs: {RULES}"),
    "runbook step rewritten, manifest updated": (runbook_step, f"differs: {RUNBOOK}"),
    "pages sent to the unrouted receiver": (unrouted_pages, f"differs: {ALERTMANAGER}"),
    "manifest entry deleted": (manifest_entry_deleted, f"differs: {MANIFEST}"),
    "same size, older than the manifest": (same_size_older, f"differs: {INFRA}"),
    "file added under build/": (
        file_added,
        "stale: build/monitoring/prometheus/extra.rules.yml",
    ),
}


def check(*args: str) -> Run:
    return run_mlcp(["build", "--check", *args])


@pytest.mark.parametrize("with_base", [False, True], ids=["no base", "base"])
@pytest.mark.parametrize("case", TAMPERINGS)
def test_each_tampering_fails_the_check_and_names_the_file(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str, with_base: bool
) -> None:
    root = clone_repo(project, tmp_path / "clone")
    monkeypatch.chdir(root)
    tamper, line = TAMPERINGS[case]
    tamper(root)
    if case != "same size, older than the manifest":  # a commit would refresh its mtime
        commit_all(root)
    run = check(*(["--base", BASE] if with_base else []))
    assert run.code == 1, run.stdout + run.stderr
    assert "build is out of date; run `mlcp build`" in run.stdout
    assert f"  {line}\n" in run.stdout


def test_a_forged_preview_does_not_decide_what_resources_json_should_be(clone: Path) -> None:
    """A model's preview and resources.json edited to agree, both vouched for: the check
    previews the model again rather than build resources.json from the forged file."""
    same_size_older(clone)
    compiled = compile_specs([clone / "specs"])
    fragments = {
        m.name: (clone / "build" / infra.model_path(m.name)).read_text(encoding="utf-8")
        for m in compiled.models
    }
    forged = infra.render_resources(compiled.models, compiled.config, fragments)
    (clone / "build" / infra.RESOURCES).write_text(forged.content, encoding="utf-8")
    vouch(clone, INFRA)
    vouch(clone, f"build/{infra.RESOURCES}")
    commit_all(clone)
    run = check()
    assert run.code == 1
    assert f"  differs: {INFRA}\n" in run.stdout
    assert f"  differs: build/{infra.RESOURCES}\n" in run.stdout


def test_a_fresh_clone_of_a_current_build_passes(clone: Path) -> None:
    run = check()
    assert run.code == 0, run.stdout
    assert "build is up to date" in run.stdout


def test_what_git_ignores_is_not_the_checks_business_and_the_rest_is(clone: Path) -> None:
    (clone / "build/retrain-demo").mkdir()
    (clone / "build/retrain-demo/model.pkl").write_bytes(b"\0")  # made by `make demo`
    (clone / "build/lib").mkdir()
    (clone / "build/lib/x.py").write_text("", encoding="utf-8")  # left by `pip install .`
    assert check().code == 0
    (clone / "build/runbooks/notes.md").write_text("untracked\n", encoding="utf-8")
    run = check()
    assert run.code == 1
    assert run.stdout.splitlines()[-1] == "  stale: build/runbooks/notes.md"


def test_outside_git_every_file_under_the_output_folder_counts(
    examples: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert run_mlcp(["build", str(examples), "--out", str(out), "-j", "1"]).code == 0
    (out / "runbooks/extra.md").write_text("no spec makes me\n", encoding="utf-8")
    run = run_mlcp(["build", str(examples), "--out", str(out), "--check", "-j", "1"])
    assert run.code == 1
    assert f"  stale: {out.as_posix()}/runbooks/extra.md\n" in run.stdout


def test_with_a_base_an_unchanged_model_is_taken_from_the_bases_manifest(clone: Path) -> None:
    result = build([Path("specs")], None, check=True, base=BASE, jobs=1)
    assert result.rendered == []  # every unit's inputs are the base's
    assert result.writes is not None
    assert result.writes.written == [] and result.writes.removed == []
    replace_once(
        clone / "specs/fraud-detector.yaml",
        "warn: 0.15, critical: 0.3",
        "warn: 0.12, critical: 0.3",
    )
    assert build([Path("specs")], None, check=False, jobs=1).writes is not None
    commit_all(clone)
    result = build([Path("specs")], None, check=True, base=BASE, jobs=1)
    assert result.rendered == [SHARED, "fraud-detector"]
    assert result.writes is not None and result.writes.written == []


def test_with_a_base_the_heads_manifest_is_not_trusted(clone: Path) -> None:
    """The head's manifest vouches for a tampered file and claims new inputs for it: the
    unit is still taken from the base, whose manifest knows the file's real digest."""
    severity_none(clone)
    manifest = json.loads((clone / MANIFEST).read_text(encoding="utf-8"))
    manifest["inputs"]["fraud-detector"]["sha256"] = "0" * 64
    (clone / MANIFEST).write_text(jsonwrite.dumps(manifest), encoding="utf-8")
    commit_all(clone)
    result = build([Path("specs")], None, check=True, base=BASE, jobs=1)
    assert result.rendered == []
    assert result.writes is not None
    assert sorted(result.writes.written) == sorted(
        [MANIFEST.removeprefix("build/"), RULES.removeprefix("build/")]
    )


def test_a_base_without_a_manifest_renders_everything(clone: Path) -> None:
    repo = git.Repo(clone)
    repo.git.checkout("-q", "--orphan", "empty")
    repo.git.rm("-rq", "--cached", "build")
    repo.git.commit("-qm", "no build")
    repo.git.add("-A")
    repo.git.commit("-qm", "build again")
    result = build([Path("specs")], None, check=True, base="empty~1", jobs=1)
    assert result.rendered == [SHARED, "demand-forecast", "fraud-detector", "recommender"]
    assert result.writes is not None and result.writes.written == []


def test_base_is_for_check_only(clone: Path) -> None:
    run = run_mlcp(["build", "--base", BASE])
    assert run.code == 2
    assert run.stderr == "mlcp build: --base is what --check may trust: use it with --check\n"


def test_an_unknown_base_is_one_line(clone: Path) -> None:
    run = check("--base", "no-such-branch")
    assert run.code == 2
    assert run.stderr == (
        "mlcp build: unknown revision 'no-such-branch': fetch it or name a branch, tag or commit\n"
    )


def test_a_tag_named_like_the_base_branch_is_refused_not_trusted(clone: Path) -> None:
    """Anyone who can push can push a tag `origin/base`, and git reads a tag before a
    remote branch of the same name: a forged manifest committed under that tag would vouch
    for the tampered head. A name that means two refs is refused, saying which two."""
    severity_none(clone)
    commit_all(clone)
    git.Repo(clone).git.tag(f"origin/{BASE}")
    run = check("--base", f"origin/{BASE}")
    assert run.code == 2
    assert run.stderr == (
        f"mlcp build: revision 'origin/{BASE}' is ambiguous (refs/tags/origin/{BASE}, "
        f"refs/remotes/origin/{BASE}): name one in full\n"
    )
    run = check("--base", f"refs/remotes/origin/{BASE}")
    assert run.code == 1
    assert f"differs: {RULES}" in run.stdout
