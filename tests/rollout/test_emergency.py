"""`mlcp rollback --emergency` against moto's SageMaker: the weights move, then the commit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from controlplane.rollout.emergency import shift_to_stable
from controlplane.rollout.errors import EndpointError
from controlplane.rollout.run import spec_region
from tests.rollout.gitrepo import changed_files, spec_repo
from tests.spec.clirun import Run, run_mlcp

REGION = "eu-west-1"  # specs/mlcp.yaml


@pytest.fixture
def aws(fake_aws_credentials: None) -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("sagemaker", region_name=REGION)


def endpoint(client: Any, name: str, weights: dict[str, float]) -> None:
    sagemaker = client
    sagemaker.create_model(
        ModelName=name,
        ExecutionRoleArn="arn:aws:iam::123456789012:role/sagemaker",
        PrimaryContainer={"Image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/recommender:7"},
    )
    variants = [
        {
            "VariantName": variant,
            "ModelName": name,
            "InitialInstanceCount": 2,
            "InstanceType": "ml.g4dn.xlarge",  # moto knows no g5
            "InitialVariantWeight": weight,
        }
        for variant, weight in weights.items()
    ]
    sagemaker.create_endpoint_config(EndpointConfigName=name, ProductionVariants=variants)
    sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=name)


def weights(client: Any, name: str) -> dict[str, float]:
    described = client.describe_endpoint(EndpointName=name)
    return {v["VariantName"]: v["CurrentWeight"] for v in described["ProductionVariants"]}


def rollback(root: Path, *args: str) -> Run:
    return run_mlcp(
        ["rollback", "recommender", "--emergency", *args, "--specs", str(root / "specs")]
    )


def test_all_traffic_moves_to_stable_before_the_commit(tmp_path: Path, aws: Any) -> None:
    repo = spec_repo(tmp_path)
    endpoint(aws, "recommender", {"stable": 0.75, "candidate": 0.25})  # canary-25, as the spec says
    run = rollback(tmp_path)
    assert (run.code, run.stderr) == (0, ""), run.stderr
    assert weights(aws, "recommender") == {"stable": 1.0, "candidate": 0.0}
    first = run.stdout.splitlines()[0]
    assert first.startswith("endpoint recommender: all traffic on stable after ")
    assert changed_files(repo) == ["specs/recommender.yaml"]
    message = repo.head.commit.message
    assert "Emergency: all traffic of endpoint recommender was moved to stable directly" in message
    assert "Weights before: candidate 0.25, stable 0.75." in message


def test_an_endpoint_with_another_name_is_named(tmp_path: Path, aws: Any) -> None:
    spec_repo(tmp_path)
    endpoint(aws, "reco-prod", {"stable": 0.95, "candidate": 0.05})
    assert rollback(tmp_path, "--endpoint", "reco-prod").code == 0
    assert weights(aws, "reco-prod") == {"stable": 1.0, "candidate": 0.0}


def test_an_unknown_endpoint_is_one_clear_line_and_no_commit(tmp_path: Path, aws: Any) -> None:
    repo = spec_repo(tmp_path)
    run = rollback(tmp_path)
    assert (run.code, run.stdout, run.stderr) == (
        2,
        "",
        "mlcp rollback: no SageMaker endpoint named recommender in this account and region\n",
    )
    assert repo.active_branch.name == "main"


def test_an_endpoint_without_a_stable_variant_is_refused(tmp_path: Path, aws: Any) -> None:
    spec_repo(tmp_path)
    endpoint(aws, "recommender", {"candidate": 1.0})
    run = rollback(tmp_path)
    assert run.code == 2
    assert "endpoint recommender has no stable variant (its variants: candidate)" in run.stderr
    assert weights(aws, "recommender") == {"candidate": 1.0}


def test_without_credentials_nothing_moves_and_nothing_is_committed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    repo = spec_repo(tmp_path / "repo")
    run = rollback(tmp_path / "repo")
    assert (run.code, run.stdout) == (2, "")
    assert run.stderr == (
        "mlcp rollback: no AWS credentials found (AWS_PROFILE, AWS_ACCESS_KEY_ID or a role):"
        " --emergency moves traffic itself; without it, rollback only writes the commit\n"
    )
    assert repo.active_branch.name == "main"


class StillUpdating:
    """moto's SageMaker, except that the endpoint never reports the new weights."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def update_endpoint_weights_and_capacities(self, **arguments: Any) -> Any:
        return self.client.update_endpoint_weights_and_capacities(**arguments)

    def describe_endpoint(self, **arguments: Any) -> Any:
        return {**self.client.describe_endpoint(**arguments), "EndpointStatus": "Updating"}


def test_an_endpoint_that_never_reports_the_weights_times_out(aws: Any) -> None:
    endpoint(aws, "recommender", {"stable": 0.75, "candidate": 0.25})
    ticks = iter(float(n) for n in range(1000))
    with pytest.raises(EndpointError) as timed_out:
        shift_to_stable(
            StillUpdating(aws),
            "recommender",
            timeout=3,
            clock=lambda: next(ticks),
            sleep=lambda _: None,
        )
    assert str(timed_out.value) == (
        "endpoint recommender did not report all traffic on stable within 3s"
        " (it reports {'status': 'Updating'}): check it in the SageMaker console"
    )


def test_the_region_is_mlcp_yamls_whether_specs_names_the_folder_or_one_spec(
    examples: Path,
) -> None:
    # specs/mlcp.yaml writes `region: eu-west-1`; mlcp's own default is us-east-1.
    assert spec_region(examples) == "eu-west-1"
    assert spec_region(examples / "fraud-detector.yaml") == "eu-west-1"
