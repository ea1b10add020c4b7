"""`mlcp rollback`: the state back to stable, as a commit of two lines on a new branch."""

from __future__ import annotations

from pathlib import Path

from tests.memory import EXAMPLE_TEXTS
from tests.rollout.gitrepo import changed_files, committed_change, spec_repo, stamp_line
from tests.spec.clirun import run_mlcp


def test_a_canary_rolls_back_to_stable_with_the_candidate_kept(tmp_path: Path) -> None:
    repo = spec_repo(tmp_path)
    run = run_mlcp(["rollback", "recommender", "--specs", str(tmp_path / "specs")])
    assert (run.code, run.stderr) == (0, "")
    assert run.stdout.splitlines()[0] == "recommender: canary-25 → stable"
    assert repo.active_branch.name.startswith("rollback/recommender-")
    assert changed_files(repo) == ["specs/recommender.yaml"]
    assert [stamp_line(line) for line in committed_change(repo, "specs/recommender.yaml")] == [
        "-  state: canary-25",
        '-  since: "…"',
        "+  state: stable",
        '+  since: "…"',
    ]
    message = repo.head.commit.message
    assert message.startswith("Roll back recommender: canary-25 → stable\n")
    assert "7.0.3 takes all production traffic again; the candidate 7.1.0 stays declared" in message
    comments = [line for line in EXAMPLE_TEXTS["recommender.yaml"].splitlines() if "#" in line]
    after = (tmp_path / "specs/recommender.yaml").read_text()
    assert [line for line in after.splitlines() if "#" in line] == comments


def test_a_stable_model_has_nothing_to_roll_back(tmp_path: Path) -> None:
    repo = spec_repo(tmp_path)
    run = run_mlcp(["rollback", "demand-forecast", "--specs", str(tmp_path / "specs")])
    assert (run.code, run.stdout) == (1, "")
    assert run.stderr == (
        "mlcp rollback: demand-forecast is already stable: there is nothing to roll back\n"
    )
    assert repo.active_branch.name == "main"


def test_an_unknown_model_is_a_usage_error(tmp_path: Path) -> None:
    spec_repo(tmp_path)
    run = run_mlcp(["rollback", "fraud-detektor", "--specs", str(tmp_path / "specs")])
    assert run.code == 2
    assert run.stderr.startswith("mlcp rollback: no valid model named 'fraud-detektor'")
