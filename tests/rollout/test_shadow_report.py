"""`mlcp shadow-report` on data-capture files as SageMaker writes them, against hand counts."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from tests.conftest import SPECS
from tests.rollout.gitrepo import fraud_since, spec_repo
from tests.spec.clirun import Run, run_mlcp

HOUR = 3600.0


def record(inference_id: str | None, data: str, kind: str, encoding: str) -> str:
    """One line of a SageMaker data-capture file."""
    metadata = {"eventId": f"event-{inference_id}", "inferenceTime": "2026-11-30T08:00:00Z"}
    if inference_id is not None:
        metadata["inferenceId"] = inference_id
    output = {"observedContentType": kind, "mode": "OUTPUT", "data": data, "encoding": encoding}
    features = {
        "observedContentType": "text/csv",
        "mode": "INPUT",
        "data": "1,2",
        "encoding": "CSV",
    }
    capture = {"endpointInput": features, "endpointOutput": output}
    return json.dumps({"captureData": capture, "eventMetadata": metadata, "eventVersion": "0"})


def write_capture(root: Path, endpoint: str, variant: str, lines: list[str]) -> None:
    folder = root / "capture" / endpoint / variant / "2026/11/30/08"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "part-0.jsonl").write_text("\n".join(lines) + "\n")


def csv_scores(scores: dict[str | None, float]) -> list[str]:
    return [record(i, f"{s}", "text/csv; charset=utf-8", "CSV") for i, s in scores.items()]


def report(root: Path, name: str, *extra: str) -> Run:
    return run_mlcp(["shadow-report", name, str(root / "capture"), "--specs", str(SPECS), *extra])


def test_classification_scores_joined_by_inference_id(tmp_path: Path) -> None:
    # r1..r6 in both; r3 (0.40 → 0.60) and r5 (0.90 → 0.10) cross 0.5: 2 of 6 disagree.
    stable = {"r1": 0.1, "r2": 0.7, "r3": 0.4, "r4": 0.2, "r5": 0.9, "r6": 0.55, "r7": 0.3}
    candidate = {"r1": 0.2, "r2": 0.8, "r3": 0.6, "r4": 0.1, "r5": 0.1, "r6": 0.51, "r8": 0.9}
    write_capture(tmp_path, "fraud-detector", "stable", csv_scores({**stable, None: 0.5}))
    write_capture(tmp_path, "fraud-detector", "candidate", csv_scores(candidate))
    output = tmp_path / "report.json"
    run = report(tmp_path, "fraud-detector", "--output", str(output))
    assert run.code == 1
    assert run.stdout == (
        "fraud-detector: disagreement rate 33.33% over 6 requests answered by both variants\n"
        "rollout.shadow.max_divergence: 5.00% (ABOVE)\n"
        "unmatched: 1 stable only, 1 candidate only, 1 without an inference id; 2 file(s)\n"
    )
    written = json.loads(output.read_text())
    assert written["divergence"] == 2 / 6 and written["comparisons"] == 6
    assert written["within"] is False


def test_ranking_answers_in_base64_json(tmp_path: Path) -> None:
    def ranked(items: list[str]) -> str:
        body = json.dumps({"predictions": items}).encode()
        return record("q1", base64.b64encode(body).decode(), "application/json", "BASE64")

    top = [f"i{n}" for n in range(10)]
    write_capture(tmp_path, "recommender", "stable", [ranked(top)])
    write_capture(tmp_path, "recommender", "candidate", [ranked([*top[:9], "new"])])
    run = report(tmp_path, "recommender")
    # 9 of the top 10 shared: 1 − 0.9 = 10%, at the bound of 10%: within
    assert run.code == 0, run.stderr
    assert run.stdout.splitlines()[:2] == [
        "recommender: top-10 mismatch (1 − top-10 overlap) 10.00% over 1 requests answered"
        " by both variants",
        "rollout.shadow.max_divergence: 10.00% (within)",
    ]


def test_no_request_answered_by_both_is_one_clear_line(tmp_path: Path) -> None:
    write_capture(tmp_path, "fraud-detector", "stable", csv_scores({"a": 0.1}))
    write_capture(tmp_path, "fraud-detector", "candidate", csv_scores({"b": 0.1}))
    run = report(tmp_path, "fraud-detector")
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == (
        "mlcp shadow-report: no request of fraud-detector was answered by both variants in"
        " 2 file(s) (1 stable, 1 candidate, 0 without an inference id): pass InferenceId when"
        " invoking the endpoint\n"
    )


def test_a_file_outside_a_variant_folder_is_refused(tmp_path: Path) -> None:
    stray = tmp_path / "capture" / "part-0.jsonl"
    stray.parent.mkdir()
    stray.write_text(csv_scores({"a": 0.1})[0] + "\n")
    run = report(tmp_path, "fraud-detector")
    assert run.code == 2
    assert "cannot tell the variant" in run.stderr


def test_the_report_is_the_evidence_promote_reads(tmp_path: Path) -> None:
    repo_root = tmp_path / "repo"
    repo = spec_repo(repo_root, fraud_detector=fraud_since(49 * HOUR))
    agree = {f"r{n}": 0.9 for n in range(40)}  # 40 requests, one disagreement: 2.5%
    write_capture(tmp_path, "fraud-detector", "stable", csv_scores(agree))
    write_capture(tmp_path, "fraud-detector", "candidate", csv_scores({**agree, "r7": 0.2}))
    output = tmp_path / "report.json"
    assert report(tmp_path, "fraud-detector", "--output", str(output)).code == 0
    run = run_mlcp(
        ["promote", "fraud-detector", "--report", str(output), "--specs", str(repo_root / "specs")]
    )
    assert run.code == 0, run.stderr
    assert "disagreement rate) 2.50% over 40 requests" in repo.head.commit.message
