"""The generated pipeline under real `dvc repro`: good data end to end, then nothing to redo;
the proposal's commit changes only the intended lines of the spec."""

from __future__ import annotations

import json
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import git
import pytest

from controlplane import pipeline_layout as layout
from controlplane.compile import compile_sources
from controlplane.pipeline.retrain import run
from controlplane.sources import Source
from tests.pipeline.dvcrun import dvc_tool
from tests.pipeline.project import MODEL, pipeline_folder, small_project
from tests.spec.clirun import run_mlcp

ORDER = ["validate", "split", "tune", "train", "evaluate", "gate", "propose"]


@dataclass(frozen=True)
class Ran:
    workspace: Path
    code: int
    stdout: str
    stderr: str


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> Ran:
    """`mlcp retrain` on the small example project, as a person runs it."""
    dvc_tool()
    root = tmp_path_factory.mktemp("ran")
    specs = small_project(root / "project")
    workspace = root / "workspace"
    result = run_mlcp(
        ["retrain", MODEL, "--specs", str(specs), "--workspace", str(workspace), "--progress"]
    )
    return Ran(workspace, result.code, result.stdout, result.stderr)


def test_retrain_runs_every_stage_in_order_with_a_line_each(ran: Ran) -> None:
    assert ran.code == 0, ran.stderr
    assert ran.stderr.splitlines() == [
        f"[{i}/7] {stage}: running" for i, stage in enumerate(ORDER, start=1)
    ]
    gate = _json(ran.workspace, layout.GATE)
    assert f"gate: {gate['decision'].upper()}: {gate['reason']}" in ran.stdout


def _json(workspace: Path, name: str) -> Any:
    return json.loads((pipeline_folder(workspace) / name).read_text(encoding="utf-8"))


def test_the_first_run_is_judged_on_the_spec_bars(ran: Ran) -> None:
    workspace = ran.workspace
    gate = _json(workspace, layout.GATE)
    # No production model in the workspace: the first run is judged on the spec's bars.
    assert gate["first_run"] is True and gate["production"] is None
    assert [(b["metric"], b["side"], b["limit"]) for b in gate["bars"]] == [
        ("recall", "min", 0.85),  # examples/specs/fraud-detector.yaml's quality.metrics
        ("precision", "min", 0.6),
        ("false_negative_rate", "max", 0.03),
    ]
    assert gate["decision"] == ("promote" if gate["passed"] else "reject")
    assert gate["n"] == round(_rows_in_window(workspace) * 0.2)


def _rows_in_window(workspace: Path) -> int:
    return int(_json(workspace, layout.VALIDATION)["rows_in_window"])


def test_a_second_repro_does_nothing(ran: Ran) -> None:
    workspace = ran.workspace
    stages, skipped, _ = run(workspace, pipeline_folder(workspace), None)
    assert stages == []
    assert skipped == ORDER


def test_the_held_out_set_is_the_most_recent_data(ran: Ran) -> None:
    import pandas as pd

    folder = pipeline_folder(ran.workspace)
    train, valid, test = (
        pd.read_parquet(folder / p, columns=["timestamp"])["timestamp"]
        for p in (layout.TRAIN, layout.VALID, layout.TEST)
    )
    assert train.max() <= valid.min() and valid.max() <= test.min()


def test_the_proposal_changes_only_the_candidate_lines(ran: Ran) -> None:
    workspace = ran.workspace
    proposal = _json(workspace, layout.PROPOSAL)
    if not proposal["proposed"]:
        pytest.fail(f"the example candidate should pass its bars: {proposal['reason']}")
    repo = git.Repo(workspace)
    commit = repo.commit(proposal["branch"])
    assert commit.hexsha == proposal["commit"]
    diff = commit.parents[0].diff(commit, create_patch=True)
    assert [d.b_path for d in diff] == ["specs/fraud-detector.yaml"]
    changed = [
        line
        for line in diff[0].diff.decode("utf-8").splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    # examples/specs/fraud-detector.yaml rolls out 1.5.0 in shadow; the next candidate is 1.6.0.
    assert changed == [
        "-    version: 1.5.0",
        "-    image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/fraud-detector:1.5.0",
        "-    model_data: s3://acme-models/fraud-detector/1.5.0/model.tar.gz",
        "+    version: 1.6.0",
        "+    image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/fraud-detector:1.6.0",
        "+    model_data: s3://acme-models/fraud-detector/1.6.0/model.tar.gz",
    ]
    assert "gate.json" in commit.message and "Data validation: passed" in commit.message
    # The working tree and the checked-out branch are untouched.
    assert repo.active_branch.name == "main"
    assert "version: 1.5.0" in (workspace / "specs/fraud-detector.yaml").read_text(encoding="utf-8")


def test_the_proposed_spec_loads_and_validates(ran: Ran) -> None:
    workspace = ran.workspace
    repo = git.Repo(workspace)
    branch = _json(workspace, layout.PROPOSAL)["branch"]
    tree = repo.commit(branch).tree
    spec = Source("specs/fraud-detector.yaml", tree["specs/fraud-detector.yaml"].data_stream.read())
    config = Source("specs/mlcp.yaml", tree["specs/mlcp.yaml"].data_stream.read())
    result = compile_sources([spec], config)
    assert result.ok, result.diagnostics
    rollout = result.compiled[0].model.rollout
    assert rollout.state == "shadow"
    assert rollout.candidate is not None and rollout.candidate.version == "1.6.0"


def test_a_rerun_of_tune_resumes_the_stored_study(
    ran: Ran, monkeypatch: pytest.MonkeyPatch
) -> None:
    from controlplane.pipeline.context import Stage
    from controlplane.pipeline.stages import tune

    monkeypatch.chdir(pipeline_folder(ran.workspace))
    again = tune.tune_stage(Stage(MODEL, Path("../../../specs")))
    first = _json(ran.workspace, layout.TUNING)
    # examples/specs asks for 6 trials; the small project for 2: both are stored already.
    assert again["resumed_from"] == first["completed"] == 2
    assert again["best_params"] == first["best_params"]


def _judge_against(
    ran: Ran, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, production: Any
) -> Any:
    """Evaluate and gate a copy of the run with `production` as the production model."""
    import shutil

    from controlplane.pipeline.context import Stage
    from controlplane.pipeline.entrypoint import save_model
    from controlplane.pipeline.stages import evaluate, gate

    workspace = tmp_path / "workspace"
    shutil.copytree(ran.workspace, workspace, symlinks=True)
    folder = pipeline_folder(workspace)
    save_model(production(folder), folder / layout.PRODUCTION_MODEL)
    monkeypatch.chdir(folder)
    monkeypatch.syspath_prepend(str(workspace))
    stage = Stage(MODEL, Path("../../../specs"))
    evaluate.run(stage)
    gate.run(stage)
    return _json(workspace, layout.GATE), folder


def test_a_candidate_no_better_than_production_is_rejected(
    ran: Ran, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from controlplane.pipeline.entrypoint import load_model

    decision, _ = _judge_against(
        ran, tmp_path, monkeypatch, lambda folder: load_model(folder / layout.CANDIDATE)
    )
    assert decision["first_run"] is False
    assert decision["candidate"] == decision["production"]
    assert decision["improvement"] == 0
    assert decision["test"] == "paired-bootstrap"  # the test for F1
    assert decision["decision"] == "reject"


def test_a_clearly_better_candidate_passes(
    ran: Ran, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pandas as pd
    from sklearn.metrics import f1_score

    from controlplane.pipeline.entrypoint import load_model

    def stump(folder: Path) -> Any:
        from fraud_model.train import fit  # the workspace's copy of the example code

        train = pd.read_parquet(folder / layout.TRAIN).drop(columns=["timestamp"])
        return fit({"max_depth": 1, "learning_rate": 0.3, "max_iter": 2}, train)

    decision, folder = _judge_against(ran, tmp_path, monkeypatch, stump)
    from fraud_model.train import predict

    test = pd.read_parquet(folder / layout.TEST)
    truth = test["label"]
    candidate = f1_score(truth, predict(load_model(folder / layout.CANDIDATE), test))
    production = f1_score(truth, predict(load_model(folder / layout.PRODUCTION_MODEL), test))
    assert decision["candidate"] == pytest.approx(candidate)
    assert decision["production"] == pytest.approx(production)
    assert decision["improvement"] == pytest.approx((candidate - production) / production)
    assert candidate > production * 1.1
    assert decision["p_value"] < 0.05 and decision["ci_low"] > 0.02
    assert decision["decision"] == "promote", decision["reason"]


class _PullRequests(BaseHTTPRequestHandler):
    """GitHub's `POST /repos/{owner}/{repo}/pulls`, as documented: 201 and the new PR."""

    received: ClassVar[list[tuple[str, str, dict[str, Any]]]] = []

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.received.append((self.path, self.headers["Authorization"], body))
        number = len(self.received)
        answer = json.dumps(
            {"number": number, "html_url": f"https://github.com/acme/models/pull/{number}"}
        )
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(answer.encode())


def test_with_a_remote_and_a_token_propose_pushes_and_opens_the_pull_request(
    ran: Ran, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil
    import threading

    from controlplane.pipeline.context import Stage
    from controlplane.pipeline.stages import propose

    workspace = tmp_path / "workspace"
    shutil.copytree(ran.workspace, workspace, symlinks=True)
    bare = git.Repo.init(tmp_path / "origin.git", bare=True)
    repo = git.Repo(workspace)
    url = "https://github.com/acme/models.git"
    repo.create_remote("origin", url)
    with repo.config_writer() as config:  # the GitHub remote is a local bare repository here
        config.set_value(f'url "{bare.working_dir}"', "insteadOf", url)
    server = HTTPServer(("127.0.0.1", 0), _PullRequests)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("GITHUB_API_URL", f"http://127.0.0.1:{server.server_port}")
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_test")
    monkeypatch.chdir(pipeline_folder(workspace))
    try:
        line = propose.run(Stage(MODEL, Path("../../../specs")))
    finally:
        server.shutdown()
    proposal = _json(workspace, layout.PROPOSAL)
    assert line == f"opened https://github.com/acme/models/pull/1 ({proposal['branch']})"
    assert bare.commit(proposal["branch"]).hexsha == proposal["commit"]
    path, auth, body = _PullRequests.received[0]
    assert (path, auth) == ("/repos/acme/models/pulls", "Bearer ghs_test")
    assert body["head"] == proposal["branch"] and body["base"] == "main"
    assert body["title"] == "Retrain fraud-detector: candidate 1.6.0 into shadow"
    assert "gate.json" in body["body"]
