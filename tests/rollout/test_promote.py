"""`mlcp promote`: one step as a commit on a new branch, and a refusal for each gate."""

from __future__ import annotations

import json
import time
from pathlib import Path

import git
import pytest

from controlplane.units import parse_timestamp
from tests.memory import EXAMPLE_TEXTS, edited
from tests.rollout.gitrepo import (
    FRAUD_SINCE,
    RECO_SINCE,
    ago,
    changed_files,
    committed_change,
    fraud_since,
    recommender_since,
    spec_repo,
    stamp_line,
)
from tests.spec.clirun import Run, run_mlcp

HOUR = 3600.0


def promote(root: Path, *args: str) -> Run:
    return run_mlcp(["promote", *args, "--specs", str(root / "specs")])


def shadow_report(root: Path, divergence: float, model: str = "fraud-detector") -> Path:
    path = root / "shadow.json"
    report = {"model": model, "task": "classification", "divergence": divergence}
    path.write_text(json.dumps({**report, "comparisons": 20000}))
    return path


def test_a_canary_that_baked_moves_to_full_in_one_commit_of_two_lines(tmp_path: Path) -> None:
    repo = spec_repo(tmp_path, recommender=recommender_since(5 * HOUR))
    started = time.time()
    run = promote(tmp_path, "recommender")
    assert (run.code, run.stderr) == (0, "")
    assert repo.active_branch.name == "promote/recommender-full"
    assert changed_files(repo) == ["specs/recommender.yaml"]
    change = committed_change(repo, "specs/recommender.yaml")
    assert [stamp_line(line) for line in change] == [
        "-  state: canary-25",
        '-  since: "…"',
        "+  state: full",
        '+  since: "…"',
    ]
    recorded = parse_timestamp(change[-1].split('"')[1])
    assert started - 1 <= recorded <= time.time() + 1
    message = repo.head.commit.message
    assert message.startswith("Promote recommender: canary-25 → full\n")
    assert "7.1.0 takes all production traffic" in message
    assert "- the bake time is 4h" in message
    assert run.stdout.splitlines()[0] == "recommender: canary-25 → full"


def test_after_full_the_candidate_becomes_the_artifact(tmp_path: Path) -> None:
    text = edited("recommender.yaml", "state: canary-25", "state: full")
    text = text.replace(RECO_SINCE, f'since: "{ago(5 * HOUR)}"')
    repo = spec_repo(tmp_path, recommender=text)
    assert promote(tmp_path, "recommender").code == 0
    assert [stamp_line(line) for line in committed_change(repo, "specs/recommender.yaml")] == [
        "-    version: 7.0.3",
        "-    image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/recommender:7.0.3",
        "-    model_data: s3://acme-models/recommender/7.0.3/model.tar.gz",
        "+    version: 7.1.0",
        "+    image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/recommender:7.1.0",
        "+    model_data: s3://acme-models/recommender/7.1.0/model.tar.gz",
        "-  candidate:",
        "-    version: 7.1.0",
        "-    image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/recommender:7.1.0",
        "-    model_data: s3://acme-models/recommender/7.1.0/model.tar.gz",
        "-  state: full",
        '-  since: "…"',
        "+  state: stable",
        '+  since: "…"',
    ]
    after = (tmp_path / "specs/recommender.yaml").read_text()
    comments = [line for line in EXAMPLE_TEXTS["recommender.yaml"].splitlines() if "#" in line]
    assert [line for line in after.splitlines() if "#" in line] == comments
    assert run_mlcp(["validate", str(tmp_path / "specs")]).code == 0
    assert (
        "Note: features.profile (s3://acme-models/recommender/7.0.3/profile.json) still names"
        " 7.0.3" in repo.head.commit.message
    )


def test_leaving_shadow_with_divergence_under_the_bound_records_it(tmp_path: Path) -> None:
    repo = spec_repo(tmp_path, fraud_detector=fraud_since(49 * HOUR))
    report = shadow_report(tmp_path, 0.032)
    run = promote(tmp_path, "fraud-detector", "--report", str(report))
    assert run.code == 0, run.stderr
    assert "shadow divergence: 3.20% over 20000 requests" in run.stdout
    message = repo.head.commit.message
    assert message.startswith("Promote fraud-detector: shadow → canary-5\n")
    assert (
        "- shadow divergence (disagreement rate) 3.20% over 20000 requests,"
        f" within rollout.shadow.max_divergence 5.00%; from report {report}"
    ) in message
    assert [stamp_line(line) for line in committed_change(repo, "specs/fraud-detector.yaml")] == [
        "-  state: shadow",
        '-  since: "…"',
        "+  state: canary-5",
        '+  since: "…"',
    ]


def test_stable_with_a_candidate_enters_shadow_and_records_since(tmp_path: Path) -> None:
    text = edited("fraud-detector.yaml", f"  state: shadow\n  {FRAUD_SINCE}\n", "  state: stable\n")
    repo = spec_repo(tmp_path, fraud_detector=text)
    assert promote(tmp_path, "fraud-detector").code == 0
    assert [stamp_line(line) for line in committed_change(repo, "specs/fraud-detector.yaml")] == [
        "-  state: stable",
        "+  state: shadow",
        '+  since: "…"',
    ]


# --- refusals: exit 1, one line, nothing committed -------------------------------


def refused(root: Path, repo: git.Repo, *args: str) -> str:
    head = repo.head.commit.hexsha
    run = promote(root, *args)
    assert (run.code, run.stdout) == (1, "")
    assert repo.head.commit.hexsha == head and repo.active_branch.name == "main"
    assert len(run.stderr.splitlines()) == 1
    return run.stderr


def test_refused_without_a_candidate(tmp_path: Path) -> None:
    repo = spec_repo(tmp_path)
    assert refused(tmp_path, repo, "demand-forecast") == (
        "mlcp promote: demand-forecast has no candidate to promote: declare rollout.candidate"
        " first (the retraining pipeline proposes one)\n"
    )


def test_refused_before_the_bake_time_has_passed(tmp_path: Path) -> None:
    repo = spec_repo(tmp_path, recommender=recommender_since(HOUR + 90))
    message = refused(tmp_path, repo, "recommender")
    assert "recommender entered canary-25 at " in message
    assert ", 1h 1m ago: its bake time of 4h ends at " in message


def test_refused_before_the_shadow_duration_has_passed(tmp_path: Path) -> None:
    repo = spec_repo(tmp_path, fraud_detector=fraud_since(47 * HOUR))
    report = shadow_report(tmp_path, 0.01)
    message = refused(tmp_path, repo, "fraud-detector", "--report", str(report))
    assert ", 1d 23h ago: its shadow duration of 2d ends at " in message


def test_refused_leaving_shadow_above_the_divergence_bound(tmp_path: Path) -> None:
    repo = spec_repo(tmp_path, fraud_detector=fraud_since(49 * HOUR))
    report = shadow_report(tmp_path, 0.0512)
    assert refused(tmp_path, repo, "fraud-detector", "--report", str(report)) == (
        "mlcp promote: fraud-detector stays in shadow: the disagreement rate is 5.12% over"
        " 20000 requests, above rollout.shadow.max_divergence 5.00%"
        f" (report {report})\n"
    )


def test_refused_leaving_shadow_without_a_measured_divergence(tmp_path: Path) -> None:
    repo = spec_repo(tmp_path, fraud_detector=fraud_since(49 * HOUR))
    assert refused(tmp_path, repo, "fraud-detector") == (
        "mlcp promote: leaving shadow needs the measured divergence of fraud-detector:"
        " pass --prometheus URL or --report FILE\n"
    )


def test_refused_when_the_state_began_in_the_future(tmp_path: Path) -> None:
    repo = spec_repo(tmp_path, recommender=recommender_since(-2 * HOUR))
    assert "mlcp promote: rollout.since of recommender (" in refused(tmp_path, repo, "recommender")
    assert ") is in the future" in refused(tmp_path, repo, "recommender")


def test_refused_when_the_moment_the_state_began_is_unknown(tmp_path: Path) -> None:
    text = edited("recommender.yaml", f"  {RECO_SINCE}\n", "")
    repo = spec_repo(tmp_path, recommender=text)
    assert "is not recorded (rollout.since)" in refused(tmp_path, repo, "recommender")


@pytest.mark.parametrize(
    ("to", "message"),
    [
        ("canary-5", "recommender is in canary-25; promote moves forward (full → stable),"),
        ("canary-50", "'canary-50' is not a state of recommender: stable, shadow, canary-5,"),
    ],
)
def test_refused_to_move_back_or_to_a_state_the_spec_lacks(
    tmp_path: Path, to: str, message: str
) -> None:
    repo = spec_repo(tmp_path, recommender=recommender_since(5 * HOUR))
    assert message in refused(tmp_path, repo, "recommender", "--to", to)


def test_refused_to_skip_shadow(tmp_path: Path) -> None:
    text = edited("fraud-detector.yaml", f"  state: shadow\n  {FRAUD_SINCE}\n", "  state: stable\n")
    repo = spec_repo(tmp_path, fraud_detector=text)
    message = refused(tmp_path, repo, "fraud-detector", "--to", "canary-5")
    assert "fraud-detector cannot skip shadow: its divergence is measured there" in message


def test_a_report_on_another_model_is_refused(tmp_path: Path) -> None:
    spec_repo(tmp_path, fraud_detector=fraud_since(49 * HOUR))
    report = shadow_report(tmp_path, 0.01, model="recommender")
    run = promote(tmp_path, "fraud-detector", "--report", str(report))
    assert (run.code, run.stderr) == (
        2,
        f"mlcp promote: {report} reports on recommender (classification), not fraud-detector\n",
    )


def test_a_spec_with_local_changes_is_not_committed_over(tmp_path: Path) -> None:
    repo = spec_repo(tmp_path, recommender=recommender_since(5 * HOUR))
    spec = tmp_path / "specs/recommender.yaml"
    spec.write_text(spec.read_text() + "# a note in progress\n")
    run = promote(tmp_path, "recommender")
    assert (run.code, run.stderr) == (
        2,
        "mlcp promote: specs/recommender.yaml has uncommitted changes: commit or stash them first\n",
    )
    assert repo.active_branch.name == "main"
