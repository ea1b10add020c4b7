"""`mlcp plan` on a base and a head commit, for each kind of change a pull request makes.

Each case pins its output in three formats (golden files, `--update-golden`), and
checks what the change means against the spec as written and hand arithmetic.
"""

from __future__ import annotations

import json
from pathlib import Path

import git
import jsonschema
import pytest

from controlplane.plan.jsonout import SCHEMA_PATH
from tests.conftest import SPECS
from tests.golden import match_file
from tests.plan.repo import BASE_BRANCH, Edit, make_repo, nothing, remove, replace
from tests.spec.clirun import Run, run_mlcp

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "plan"
FORMATS = {"text": "txt", "markdown": "md", "json": "json"}


def _add_model(specs: Path) -> None:
    text = (specs / "fraud-detector.yaml").read_text(encoding="utf-8")
    new = text.replace("name: fraud-detector", "name: fraud-detector-eu", 1)
    (specs / "fraud-detector-eu.yaml").write_text(new, encoding="utf-8")


CASES: dict[str, Edit] = {
    "threshold-loosened": replace(
        "fraud-detector", "{name: recall, min: 0.85", "{name: recall, min: 0.8"
    ),
    "stage-promoted": replace("recommender", "state: canary-25", "state: full"),
    "model-added": _add_model,
    "model-removed": remove("recommender"),
    "cache-added": replace(
        "fraud-detector",
        "  target_invocations_per_instance: 700\n",
        "  target_invocations_per_instance: 700\n  cache: {backend: redis, ttl: 1h}\n",
    ),
    "broken-at-head": replace("fraud-detector", "tier: critical", "tier: urgent"),
    "no-op": nothing,
}


def plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str, fmt: str) -> Run:
    root = make_repo(tmp_path / case, CASES[case])
    monkeypatch.chdir(root)
    return run_mlcp(["plan", "--base", BASE_BRANCH, "--format", fmt])


def plan_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str) -> dict:  # type: ignore[type-arg]
    run = plan(tmp_path, monkeypatch, case, "json")
    assert run.stderr == ""
    data: dict = json.loads(run.stdout)  # type: ignore[type-arg]
    return data


def model(data: dict, name: str) -> dict:  # type: ignore[type-arg]
    found: dict = next(m for m in data["models"] if m["name"] == name)  # type: ignore[type-arg]
    return found


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", CASES)
def test_golden(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, update_golden: bool, case: str, fmt: str
) -> None:
    run = plan(tmp_path, monkeypatch, case, fmt)
    assert run.code == (1 if case == "broken-at-head" else 0), run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    golden = GOLDEN / f"{case}.{FORMATS[fmt]}"
    match_file(golden, run.stdout, update_golden)
    if fmt == "json":
        schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator.check_schema(schema)
        jsonschema.validate(json.loads(run.stdout), schema)


def test_loosened_threshold_is_a_risk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = plan_json(tmp_path, monkeypatch, "threshold-loosened")
    fraud = model(data, "fraud-detector")
    assert fraud["change"] == "update"
    [field] = fraud["fields"]
    assert (field["path"], field["before"], field["after"]) == (
        "quality.metrics[recall].min", "0.85", "0.8",
    )  # fmt: skip
    assert field["meaning"].startswith("loosened") and field["risky"]
    assert {"alert": "MLCPModelQualityLow", "action": "changed", "count": 1} in fraud["alerts"]
    assert [f["path"] for f in fraud["files"] if f["status"] == "changed"]
    assert fraud["cost"]["delta"] == 0
    assert [m["name"] for m in data["models"]] == ["fraud-detector"]
    assert data["unchanged"] == ["demand-forecast", "recommender"]


def test_promotion_ends_the_canary_variant(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = plan_json(tmp_path, monkeypatch, "stage-promoted")
    rec = model(data, "recommender")
    [field] = rec["fields"]
    assert field["path"] == "rollout.state"
    assert field["meaning"] == "promoted canary-25 → full: the candidate takes 100% of traffic"
    # In full the candidate serves alone: the second variant (2 × ml.g5.xlarge) goes.
    assert rec["cost"]["delta"] == pytest.approx(-2 * 1.408 * 730)


def test_added_model_costs_what_its_spec_asks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = plan_json(tmp_path, monkeypatch, "model-added")
    new = model(data, "fraud-detector-eu")
    assert new["change"] == "create" and new["cost"]["before"] == 0
    endpoint = 2 * 0.238 * 730  # mlcp.yaml prices ml.c5.xlarge at $0.238
    capture = 700 * 730 * 60 * 2048 / 1e9 * 2 * 0.023  # shadow: 2 KB a request in S3
    retraining = 365 / 14 / 12 * 4 * 0.384 * (1 - 0.7)  # biweekly, 4 h, m5.2xlarge at spot
    expected = round(endpoint, 2) * 2 + round(capture, 2) + round(retraining, 2)
    assert new["cost"]["after"] == pytest.approx(expected)
    assert {f["status"] for f in new["files"]} == {"added"}


def test_removed_model_is_a_risky_delete(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = plan_json(tmp_path, monkeypatch, "model-removed")
    rec = model(data, "recommender")
    assert rec["change"] == "delete" and rec["risky"]
    endpoints = 2 * (2 * 1.408 * 730)  # stable and canary variants
    cache = 0.219 * 730
    retraining = 365 / 7 / 12 * 8 * 1.212 * 0.3
    assert rec["cost"]["delta"] == pytest.approx(-(endpoints + cache + retraining), abs=0.02)
    assert {f["status"] for f in rec["files"]} == {"removed"}


def test_cache_raises_the_cost(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = plan_json(tmp_path, monkeypatch, "cache-added")
    fraud = model(data, "fraud-detector")
    assert fraud["cost"]["delta"] == pytest.approx(730 * 0.032)  # one cache.t4g.small
    [field] = fraud["fields"]
    assert field["path"] == "serving.cache" and field["before"] is None


def test_broken_spec_reports_its_diagnostics(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = plan(tmp_path, monkeypatch, "broken-at-head", "text")
    assert run.code == 1 and run.stderr == ""
    assert "! fraud-detector (specs/fraud-detector.yaml): error" in run.stdout
    assert "specs/fraud-detector.yaml:10:9: error MLCP113" in run.stdout
    assert "to delete" in run.stdout and "0 to delete" in run.stdout


def test_a_spec_broken_at_head_makes_the_cost_unknown_not_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # fraud-detector costs money at the base and at head alike; what it costs at head is
    # unknown while its spec does not compile, so no total may be stated.
    text = plan(tmp_path / "text", monkeypatch, "broken-at-head", "text").stdout
    assert text.splitlines()[1] == (
        "Monthly cost of the changed models: unknown: the spec of fraud-detector does not compile"
    )
    markdown = plan(tmp_path / "md", monkeypatch, "broken-at-head", "markdown").stdout
    assert (
        "Monthly cost of the changed models: unknown: the spec of `fraud-detector` does not "
        "compile.\n" in markdown
    )
    assert "$0.00" not in text + markdown
    data = plan_json(tmp_path / "json", monkeypatch, "broken-at-head")
    assert data["summary"]["cost"] == {"before": None, "after": None, "delta": None}


def test_no_op(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = plan_json(tmp_path, monkeypatch, "no-op")
    assert data["models"] == [] and data["shared_files"] == []
    assert data["unchanged"] == ["demand-forecast", "fraud-detector", "recommender"]


def test_empty_base_creates_everything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_repo(tmp_path / "r", nothing)
    monkeypatch.chdir(root)
    data = json.loads(run_mlcp(["plan", "--format", "json"]).stdout)
    assert data["base"] is None
    assert [m["change"] for m in data["models"]] == ["create"] * 3


def test_bad_revision_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_repo(tmp_path / "r", nothing)
    monkeypatch.chdir(root)
    run = run_mlcp(["plan", "--base", "no-such-branch"])
    assert run.code == 2
    assert run.stderr == (
        "mlcp plan: unknown revision 'no-such-branch': fetch it or name a branch, tag or commit\n"
    )


def test_spec_broken_at_base_is_shown_as_such(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = replace("fraud-detector", "tier: critical", "tier: urgent")
    root = make_repo(tmp_path / "r", broken)
    repo = git.Repo(root)
    repo.git.branch("-f", BASE_BRANCH, "HEAD")  # the broken spec is the base now
    (root / "specs" / "fraud-detector.yaml").write_text(
        (SPECS / "fraud-detector.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    monkeypatch.chdir(root)
    run = run_mlcp(["plan", "--base", BASE_BRANCH, "--format", "json"])
    assert run.code == 0, run.stderr
    data = json.loads(run.stdout)
    [problem] = data["base_diagnostics"]
    assert problem.startswith("base:specs/fraud-detector.yaml:10:9: error MLCP113")
    fraud = model(data, "fraud-detector")
    assert fraud["change"] == "create"
    assert {
        "severity": "note",
        "message": "this spec did not compile at base: nothing to compare",
    } in fraud["findings"]


def test_broken_config_lists_no_deletions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_repo(tmp_path / "r", replace("mlcp", "kind: Config", "kind: Conifg"))
    monkeypatch.chdir(root)
    run = run_mlcp(["plan", "--base", BASE_BRANCH])
    assert run.code == 1
    assert "nothing to plan, the specs do not compile" in run.stdout
    assert "specs/mlcp.yaml:6:7: error MLCP106" in run.stdout


def test_outside_git_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    shutil.copytree(SPECS, tmp_path / "specs")
    monkeypatch.chdir(tmp_path)
    run = run_mlcp(["plan", "--base", "main"])
    assert (run.code, run.stderr) == (
        2,
        "mlcp plan: specs is not in a git repository: --base needs one\n",
    )


def test_repository_that_is_the_specs_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """mlcp.yaml at the top of the repository: names still start with the folder's name."""
    root = make_repo(tmp_path / "r", replace("recommender", "state: canary-25", "state: full"))
    specs = root / "specs"
    inner = git.Repo.init(specs)
    with inner.config_writer() as config:
        config.set_value("user", "name", "Test")
        config.set_value("user", "email", "test@example.com")
    inner.git.add("-A")
    inner.git.commit("-qm", "head")
    monkeypatch.chdir(specs)
    run = run_mlcp(["plan", ".", "--base", "HEAD", "--format", "json"])
    data = json.loads(run.stdout)
    assert data["models"] == [] and len(data["unchanged"]) == 3


def test_a_file_is_not_a_specs_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(make_repo(tmp_path / "r", nothing))
    run = run_mlcp(["plan", "specs/recommender.yaml"])
    assert (run.code, run.stderr) == (
        2, "mlcp plan: specs/recommender.yaml is not a folder: `mlcp plan` reads a specs folder\n",
    )  # fmt: skip


def test_same_plan_from_any_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_repo(tmp_path / "r", replace("recommender", "p99: 120ms", "p99: 150ms"))
    monkeypatch.chdir(root)
    from_root = run_mlcp(["plan", "--base", BASE_BRANCH, "--format", "markdown"])
    monkeypatch.chdir(root / "specs")
    from_specs = run_mlcp(["plan", ".", "--base", BASE_BRANCH, "--format", "markdown"])
    assert from_root.code == from_specs.code == 0
    assert from_root.stdout == from_specs.stdout
    assert "| `sla.latency.p99` | 120ms | 150ms | loosened" in from_root.stdout


def test_gpu_without_declared_need_is_priced_against_cpu(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def edit(specs: Path) -> None:  # no GPU declared, and a change that makes a plan
        replace("recommender", "  gpu: true\n", "")(specs)
        replace("recommender", "instances: {min: 2, max: 6}", "instances: {min: 2, max: 5}")(specs)

    monkeypatch.chdir(make_repo(tmp_path / "r", edit))
    data = json.loads(run_mlcp(["plan", "--base", BASE_BRANCH, "--format", "json"]).stdout)
    rec = model(data, "recommender")
    notes = [f["message"] for f in rec["findings"] if f["severity"] == "note"]
    # 2 × 730 h of ml.c5.xlarge at mlcp.yaml's $0.238, against ml.g5.xlarge at $1.408
    assert (
        "ml.g5.xlarge is a GPU instance but task.gpu is not set; the CPU instance ml.c5.xlarge "
        "would cost less: $347.48/month instead of $2,055.68 at 2 instances"
    ) in notes
