"""The `mlcp` command end to end, in-process: exit codes and the full output a user sees."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from controlplane import __version__
from tests.conftest import ROOT, SPECS
from tests.spec.clirun import run_mlcp

FRAUD = "specs/fraud-detector.yaml"
STAGES_HINT = "    hint: list traffic percentages in increasing order, e.g. [5, 25, 100]"


def position(path: Path, needle: str, *, at: str | None = None) -> tuple[int, int]:
    """1-based line and column of `at` (default: `needle`) on the one line holding `needle`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found = [i for i, line in enumerate(lines) if needle in line]
    assert len(found) == 1, f"{needle!r} is not on exactly one line of {path}"
    line = lines[found[0]]
    return found[0] + 1, line.index(at or needle) + 1


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not in {path} exactly once"
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def broken_stages(examples: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    """A copy of specs/ whose fraud-detector rollout goes backwards; cwd is its parent."""
    monkeypatch.chdir(examples.parent)
    replace_once(examples / "fraud-detector.yaml", "stages: [5, 25, 100]", "stages: [5, 50, 25]")
    return position(examples / "fraud-detector.yaml", "stages: [5, 50, 25]", at="[")


# --- validate ----------------------------------------------------------------


def test_validate_examples_is_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    for args in (["validate", "specs"], ["validate"], ["validate", "specs/"]):
        result = run_mlcp(args)
        assert (result.code, result.stdout, result.stderr) == (
            0,
            "3 valid specs; 0 errors, 0 warnings\n",
            "",
        ), args


def test_validate_reports_error_with_location_and_exits_1(broken_stages: tuple[int, int]) -> None:
    line, col = broken_stages
    result = run_mlcp(["validate", "specs"])
    assert result.code == 1
    assert result.stdout == (
        f"{FRAUD}:{line}:{col}: error MLCP204: rollout.stages must increase and end at 100 "
        "(got [5, 50, 25])\n"
        f"{STAGES_HINT}\n"
        "2 valid specs; 1 error, 0 warnings\n"
    )
    assert result.stderr == ""


def test_validate_one_file_reports_only_that_file(broken_stages: tuple[int, int]) -> None:
    assert run_mlcp(["validate", "specs/recommender.yaml"]).stdout == (
        "1 valid spec; 0 errors, 0 warnings\n"
    )
    assert run_mlcp(["validate", FRAUD]).code == 1


def test_validate_json_records(broken_stages: tuple[int, int]) -> None:
    line, col = broken_stages
    result = run_mlcp(["validate", "--format", "json", "specs"])
    assert result.code == 1
    records = json.loads(result.stdout)
    assert records == [
        {
            "file": FRAUD,
            "line": line,
            "col": col,
            "code": "MLCP204",
            "severity": "error",
            "message": "rollout.stages must increase and end at 100 (got [5, 50, 25])",
        }
    ]
    assert list(records[0]) == ["file", "line", "col", "code", "severity", "message"]


def test_validate_json_when_clean_is_an_empty_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = run_mlcp(["validate", "--format", "json", "specs"])
    assert (result.code, json.loads(result.stdout), result.stderr) == (0, [], "")


def test_validate_github_annotations(broken_stages: tuple[int, int]) -> None:
    line, col = broken_stages
    result = run_mlcp(["validate", "--format", "github", "specs"])
    assert result.code == 1
    assert result.stdout == (
        f"::error file={FRAUD},line={line},col={col},title=MLCP204::MLCP204: rollout.stages "
        "must increase and end at 100 (got [5, 50, 25]) (hint: list traffic percentages in "
        "increasing order, e.g. [5, 25, 100])\n"
    )


def test_strict_turns_a_warning_into_exit_1(
    examples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(examples.parent)
    replace_once(examples / "fraud-detector.yaml", "recovery: 5m", "recovery: 30m")
    line, col = position(examples / "fraud-detector.yaml", "recovery: 30m", at="30m")
    warning = f"{FRAUD}:{line}:{col}: warning MLCP232: fallback.recovery 30m is over 5m\n"
    hint = (
        "    hint: `mlcp rollback` shifts weights in seconds; a slower fallback extends every "
        "outage\n"
    )

    relaxed = run_mlcp(["validate", "specs"])
    assert (relaxed.code, relaxed.stdout) == (
        0,
        warning + hint + "3 valid specs; 0 errors, 1 warning\n",
    )
    strict = run_mlcp(["validate", "--strict", "specs"])
    assert (strict.code, strict.stdout) == (
        1,
        warning.replace("warning MLCP232", "error MLCP232")
        + hint
        + "3 valid specs; 1 error, 0 warnings\n",
    )
    github = run_mlcp(["validate", "--format", "github", "specs"])
    assert github.code == 0
    assert github.stdout.startswith(f"::warning file={FRAUD},line={line},col={col},title=MLCP232")


def test_missing_path_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_mlcp(["validate", "nowhere/specs"])
    assert result.code == 2
    assert result.stdout == ""
    assert result.stderr == "mlcp validate: no such file or folder: nowhere/specs\n"


def test_unknown_option_is_a_usage_error_without_traceback() -> None:
    result = run_mlcp(["validate", "--format", "xml"])
    assert result.code == 2
    assert "Invalid value for '--format'" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_folder_without_specs_reports_mlcp403(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    result = run_mlcp(["validate", "empty"])
    assert result.code == 1
    assert result.stdout.startswith("empty:1:1: error MLCP403: no model specs found\n")


# --- schema ----------------------------------------------------------------------


def test_schema_prints_json_and_exits_0() -> None:
    for kind in ("model", "config"):
        result = run_mlcp(["schema", "--kind", kind])
        assert result.code == 0
        assert json.loads(result.stdout)["$id"].endswith(f"/{kind}.v1.json")


# --- build -------------------------------------------------------------------------


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_build_then_check_then_drift(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    out = tmp_path / "out"
    built = run_mlcp(["build", "specs", "--out", str(out)])
    assert built.code == 0, built.stdout + built.stderr
    tree = _tree(out)
    assert "manifest.json" in tree
    manifest = json.loads(tree["manifest.json"])
    assert set(manifest["files"]) == set(tree) - {"manifest.json"}
    assert f"wrote {len(tree)} files to {out.as_posix()}" in built.stdout

    clean = run_mlcp(["build", "specs", "--out", str(out), "--check"])
    assert clean.code == 0
    assert f"{out.as_posix()} is up to date" in clean.stdout
    assert _tree(out) == tree

    changed = sorted(manifest["files"])[0]
    (out / changed).write_bytes(tree[changed] + b"\n# edited by hand\n")
    stale = run_mlcp(["build", "specs", "--out", str(out), "--check"])
    assert stale.code == 1
    assert f"  differs: {out.as_posix()}/{changed}\n" in stale.stdout
    assert f"{out.as_posix()} is out of date; run `mlcp build`" in stale.stdout
    listed = re.findall(r"(?:differs|missing|stale): (\S+)", stale.stdout)
    assert listed == [f"{out.as_posix()}/{changed}"]
    assert (out / changed).read_bytes() != tree[changed], "--check must not rewrite the file"


def test_two_builds_are_byte_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    first, second = tmp_path / "one", tmp_path / "two"
    assert run_mlcp(["build", "specs", "--out", str(first)]).code == 0
    assert run_mlcp(["build", "specs", "--out", str(second)]).code == 0
    assert _tree(first) == _tree(second)
    assert _tree(first)


def test_build_refuses_invalid_specs(broken_stages: tuple[int, int], tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_mlcp(["build", "specs", "--out", str(out)])
    assert result.code == 1
    assert "error MLCP204" in result.stdout
    assert not out.exists()


# --- explain ---------------------------------------------------------------------


def _rows(output: str) -> dict[str, list[str]]:
    """Each explain row split on runs of two or more spaces, keyed by its path."""
    rows = [re.split(r"\s{2,}", line.strip()) for line in output.splitlines()]
    return {row[0]: row[1:] for row in rows}


def test_explain_shows_spec_tier_and_builtin_origins(
    examples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(examples.parent)
    spec = examples / "fraud-detector.yaml"
    replace_once(spec, "  bake_time: 2h\n", "")
    result = run_mlcp(["explain", "fraud-detector"])
    assert result.code == 0, result.stderr
    rows = _rows(result.stdout)

    line, col = position(spec, "name: fraud-detector", at="fraud-detector")
    assert rows["metadata.name"] == ["fraud-detector", "spec", f"{FRAUD}:{line}:{col}"]
    line, col = position(spec, "p99: 150ms", at="150ms")
    assert rows["sla.latency.p99"] == ["150ms = 0.15s", "spec", f"{FRAUD}:{line}:{col}"]

    config = examples / "mlcp.yaml"
    line, col = position(config, "bake_time: 2h", at="2h")
    assert rows["rollout.bake_time"] == [
        "2h = 7200s",
        "tier default (critical)",
        f"specs/mlcp.yaml:{line}:{col}",
    ]
    assert rows["task.gpu"] == ["false", "built-in default"]
    assert rows["serving.cache"] == ["-", "built-in default"]
    assert rows["retraining.schedule"] == ["rate(14 days)", "derived"]


def test_explain_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = run_mlcp(["explain", "recommender", "--format", "json"])
    assert result.code == 0
    entries = {e["path"]: e for e in json.loads(result.stdout)}
    assert entries["serving.instance_type"]["value"] == "ml.g5.xlarge"
    assert entries["serving.instance_type"]["origin"] == "spec"
    assert entries["serving.gpu"] == {
        "path": "serving.gpu",
        "value": "true",
        "origin": "derived",
        "where": "",
    }


def test_explain_renders_list_items_readably(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    rows = _rows(run_mlcp(["explain", "fraud-detector"]).stdout)
    metrics = rows["quality.metrics"][0]
    assert metrics.startswith("[{name: recall, min: 0.85 = 0.85"), metrics


def test_explain_unknown_model_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # The same exit code and shape as `mlcp drift --model fraud-detectr`: one error path.
    monkeypatch.chdir(ROOT)
    result = run_mlcp(["explain", "fraud-detectr"])
    assert (result.code, result.stdout, result.stderr) == (
        2,
        "",
        "mlcp explain: no valid model named 'fraud-detectr' under specs "
        "(known: demand-forecast, fraud-detector, recommender)\n",
    )


# --- new -------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["realtime", "batch"])
@pytest.mark.parametrize("task", ["classification", "regression", "ranking"])
def test_new_writes_a_spec_that_validates(
    task: str, mode: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "specs"
    folder.mkdir()
    shutil.copy(SPECS / "mlcp.yaml", folder / "mlcp.yaml")
    name = f"new-{task}-{mode}"
    created = run_mlcp(["new", name, "--task", task, "--mode", mode])
    assert created.code == 0, created.stderr
    assert created.stdout == (
        f"wrote specs/{name}.yaml; fill in the TODOs, then run `mlcp validate specs/{name}.yaml`\n"
    )
    text = (folder / f"{name}.yaml").read_text(encoding="utf-8")
    assert f"  type: {task}\n" in text
    assert f"  mode: {mode}\n" in text

    checked = run_mlcp(["validate", "specs"])
    assert checked.code == 0
    assert _placeholder_warnings(checked.stdout) == STARTER_PLACEHOLDERS
    explained = _rows(run_mlcp(["explain", name]).stdout)
    assert explained["task.type"][:2] == [task, "spec"]
    assert explained["serving.mode"][:2] == [mode, "spec"]


@pytest.mark.parametrize("tier", ["critical", "standard", "experimental"])
def test_new_for_each_tier_meets_the_example_policies(
    tier: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "specs").mkdir()
    shutil.copy(SPECS / "mlcp.yaml", tmp_path / "specs" / "mlcp.yaml")
    args = ["new", "scorer", "--task", "classification", "--mode", "realtime", "--tier", tier]
    assert run_mlcp(args).code == 0
    checked = run_mlcp(["validate", "specs"])
    assert checked.code == 0
    assert _placeholder_warnings(checked.stdout) == STARTER_PLACEHOLDERS


# The values templates/new-spec.yaml.j2 leaves as TODO, whatever the task, mode and tier.
STARTER_PLACEHOLDERS = [
    "metadata.description",
    "serving.artifact.image",
    "serving.artifact.model_data",
    "features.profile",
    "features.numeric[0]",
    "features.categorical[0]",
    "retraining.data.source",
]


def _placeholder_warnings(stdout: str) -> list[str]:
    """The fields warned about, when every diagnostic is a placeholder warning (MLCP299)."""
    lines = stdout.splitlines()
    assert lines[-1] == f"1 valid spec; 0 errors, {len(STARTER_PLACEHOLDERS)} warnings"
    found = [re.search(r": warning MLCP299: (\S+) is a placeholder: ", line) for line in lines]
    return [m.group(1) for m in found if m]


def test_new_refuses_to_overwrite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    args = ["new", "scorer", "--task", "ranking", "--mode", "batch", "--dir", "models"]
    assert run_mlcp(args).code == 0
    target = tmp_path / "models" / "scorer.yaml"
    target.write_text("# mine\n", encoding="utf-8")
    again = run_mlcp(args)
    assert again.code == 2
    assert "models/scorer.yaml already exists" in again.stderr
    assert "Traceback" not in again.stderr
    assert target.read_text(encoding="utf-8") == "# mine\n"


@pytest.mark.parametrize("name", ["Fraud", "ab", "-fraud", "fraud_detector", "fraud-", "x" * 64])
def test_new_rejects_a_bad_name(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_mlcp(["new", "--task", "ranking", "--mode", "realtime", "--", name])
    assert result.code == 2
    assert f"invalid model name {name!r}" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "specs").exists()


def test_new_with_a_bad_name_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_mlcp(["new", "Fraud", "--task", "ranking", "--mode", "batch"])
    assert (result.code, result.stdout, result.stderr) == (
        2,
        "",
        "mlcp new: invalid model name 'Fraud': use 3-63 lowercase letters, digits and dashes\n",
    )


def test_an_os_error_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("specs").write_text("a file where the folder should be\n", encoding="utf-8")
    result = run_mlcp(["new", "scorer", "--task", "ranking", "--mode", "batch"])
    assert (result.code, result.stdout, result.stderr) == (2, "", "mlcp new: specs: File exists\n")


def test_an_internal_error_is_one_line_unless_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("controlplane.workers.check", broken)
    result = run_mlcp(["validate", "specs"])
    assert (result.code, result.stdout, result.stderr) == (
        2,
        "",
        "mlcp: internal error: RuntimeError: boom (rerun with --debug)\n",
    )
    with pytest.raises(RuntimeError, match="boom"):
        run_mlcp(["--debug", "validate", "specs"])


def test_new_requires_task_and_mode() -> None:
    result = run_mlcp(["new", "scorer"])
    assert result.code == 2
    assert "Missing option '--task'" in result.stderr


# --- the module entry point ---------------------------------------------------------


def test_python_dash_m_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "controlplane", "--version"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        f"mlcp, version {__version__}\n",
        "",
    )


def test_python_dash_m_validate_exit_code(tmp_path: Path) -> None:
    spec = tmp_path / "broken.yaml"
    spec.write_text("apiVersion: mlcp/v1\nkind: Model\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "controlplane", "validate", str(spec)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert "broken.yaml:1:1: error MLCP111: missing required key 'metadata'" in result.stdout
