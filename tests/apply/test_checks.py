"""apply refuses, before changing anything, a tree or build that is not what was reviewed."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws
from moto.core import set_initial_no_auth_action_count

from controlplane.apply.checks import check_ready
from controlplane.apply.errors import ApplyRefused
from tests.apply.project import git, make_project, use_secrets_manager
from tests.oncall.test_secrets import no_credentials


@pytest.fixture
def specs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # paths in messages are shown from where the person stands
    return make_project(tmp_path)


def test_a_committed_built_project_is_ready(specs: Path) -> None:
    ready = check_ready(specs)
    head = git(specs.parent, "rev-parse", "HEAD").strip()
    assert ready.commit == head[:12]
    assert ready.root == specs.parent.resolve()
    assert ready.lines[0] == f"git tree clean at {head[:12]}"
    assert ready.config.region == "eu-west-1"  # from the example mlcp.yaml


def test_an_uncommitted_edit_is_refused_and_named(specs: Path) -> None:
    with (specs / "recommender.yaml").open("a") as handle:
        handle.write("# tweak\n")
    with pytest.raises(ApplyRefused, match=r"uncommitted changes \(specs/recommender.yaml\)"):
        check_ready(specs)


def test_an_untracked_file_is_refused(specs: Path) -> None:
    (specs / "new-model.yaml").write_text("apiVersion: mlcp/v1\n")
    with pytest.raises(ApplyRefused, match=r"specs/new-model\.yaml"):
        check_ready(specs)


def test_a_committed_spec_change_without_its_build_is_refused(specs: Path) -> None:
    spec = specs / "fraud-detector.yaml"
    spec.write_text(spec.read_text().replace("p99: 150ms", "p99: 120ms"))
    git(specs.parent, "commit", "--quiet", "--all", "--message", "tighter p99")
    with pytest.raises(ApplyRefused, match="out of date") as caught:
        check_ready(specs)
    assert str(caught.value).startswith("build is out of date (differs: ")
    assert "differs: build/monitoring/grafana/fraud-detector.json; " in str(caught.value)
    assert "run `mlcp build` and commit the result" in str(caught.value)


def test_a_spec_that_does_not_compile_is_refused(specs: Path) -> None:
    spec = specs / "fraud-detector.yaml"
    spec.write_text(spec.read_text().replace("tier: critical", "tier: vital"))
    git(specs.parent, "commit", "--quiet", "--all", "--message", "broken")
    with pytest.raises(ApplyRefused, match=r"do not compile \(1 error\)"):
        check_ready(specs)


def test_a_folder_outside_git_is_refused(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    with pytest.raises(ApplyRefused, match="not in a git checkout"):
        check_ready(tmp_path / "specs")


def test_keys_in_secrets_manager_are_checked_without_writing(
    specs: Path, fake_aws_credentials: None
) -> None:
    use_secrets_manager(specs)
    with mock_aws():
        ready = check_ready(specs)
        listed = boto3.client("secretsmanager", region_name="eu-west-1").list_secrets()
    # moto's caller; eu-west-1 is the example mlcp.yaml's region
    assert ready.lines[2] == (
        "routing keys: Secrets Manager mlcp/routing-keys/* in eu-west-1, "
        "as arn:aws:sts::123456789012:user/moto"
    )
    assert listed["SecretList"] == []


def test_keys_in_secrets_manager_without_credentials_are_refused(
    specs: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    use_secrets_manager(specs)
    no_credentials(monkeypatch, tmp_path)
    with pytest.raises(ApplyRefused) as caught:
        check_ready(specs)
    assert str(caught.value) == (
        "cannot keep routing keys in Secrets Manager (mlcp/routing-keys/* in eu-west-1): "
        "AWS credentials get_caller_identity: Unable to locate credentials"
    )


def test_a_caller_who_may_not_list_the_prefix_is_refused(
    specs: Path, monkeypatch: pytest.MonkeyPatch, fake_aws_credentials: None
) -> None:
    use_secrets_manager(specs)

    @set_initial_no_auth_action_count(3)  # IAM enforced after the user is made
    @mock_aws
    def check_as_a_user_without_secrets_manager() -> str:
        iam = boto3.client("iam", region_name="eu-west-1")
        iam.create_user(UserName="ci")
        allowed = {"Effect": "Allow", "Action": ["sts:GetCallerIdentity"], "Resource": "*"}
        document = {"Version": "2012-10-17", "Statement": [allowed]}
        iam.put_user_policy(UserName="ci", PolicyName="p", PolicyDocument=json.dumps(document))
        key = iam.create_access_key(UserName="ci")["AccessKey"]
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
        monkeypatch.delenv("AWS_SESSION_TOKEN")  # a user's own key, not a role's session
        with pytest.raises(ApplyRefused) as caught:
            check_ready(specs)
        return str(caught.value)

    refusal = check_as_a_user_without_secrets_manager()
    assert refusal.startswith(
        "cannot keep routing keys in Secrets Manager (mlcp/routing-keys/* in eu-west-1): "
        "Secrets Manager list_secrets mlcp/routing-keys/*: "
    )
    assert "not authorized to perform: secretsmanager:ListSecrets" in refusal
    assert "\n" not in refusal
