"""Routing keys in AWS Secrets Manager (moto's): created tagged, rewritten only when the
key changed, never touching a secret that is not mlcp's; every request sent fits
Secrets Manager's own model."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from controlplane.oncall import secrets
from controlplane.oncall.keystore import KeyStoreError
from controlplane.oncall.secrets import SecretsManagerKeys
from tests.oncall.aws_model import ParamValidationError, record_requests, validate_request

REGION = "eu-west-1"
PREFIX = "mlcp/routing-keys/"
KEY = "R0123456789abcdef0123456789abcde"  # 32 characters, as PagerDuty's keys are


class Aws:
    def __init__(self) -> None:
        self.session = boto3.session.Session(region_name=REGION)
        self.sent = record_requests(self.session)
        self.admin = boto3.client("secretsmanager", region_name=REGION)  # the test's own eyes

    def store(self, kms_key_id: str | None = None) -> SecretsManagerKeys:
        return SecretsManagerKeys(self.session, PREFIX, kms_key_id)

    def writes(self) -> list[str]:
        reads = ("describe_secret", "get_secret_value", "list_secrets")
        sent = self.sent
        return [op for service, op, _ in sent if service == "secretsmanager" and op not in reads]

    def value(self, name: str) -> str:
        return str(self.admin.get_secret_value(SecretId=name)["SecretString"])

    def tags(self, name: str) -> dict[str, str]:
        found = self.admin.describe_secret(SecretId=name).get("Tags", [])
        return {t["Key"]: t["Value"] for t in found}


def no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """An environment where botocore finds no credentials anywhere (and so sends nothing)."""
    for name in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def aws(fake_aws_credentials: None) -> Iterator[Aws]:
    with mock_aws():
        aws = Aws()
        yield aws
        for service, operation, params in aws.sent:  # what was sent, as AWS's model says
            validate_request(service, operation, params)


def test_a_key_is_created_as_a_tagged_secret_named_after_its_service(aws: Aws) -> None:
    store = aws.store()
    assert store.write("ml-fraud-detector", KEY) is True
    assert aws.value("mlcp/routing-keys/ml-fraud-detector") == KEY
    assert aws.tags("mlcp/routing-keys/ml-fraud-detector") == {
        "mlcp:managed-by": "mlcp",
        "mlcp:service": "ml-fraud-detector",
    }
    assert store.read("ml-fraud-detector") == KEY
    assert store.where("ml-fraud-detector") == "secret mlcp/routing-keys/ml-fraud-detector"


def test_the_same_key_again_writes_nothing_and_a_new_key_is_put(aws: Aws) -> None:
    store = aws.store()
    store.write("ml-fraud-detector", KEY)
    assert store.write("ml-fraud-detector", KEY) is False
    assert aws.writes() == ["create_secret"]
    assert store.write("ml-fraud-detector", "N" * 32) is True
    assert aws.writes() == ["create_secret", "put_secret_value"]
    assert aws.value("mlcp/routing-keys/ml-fraud-detector") == "N" * 32


def test_a_kms_key_encrypts_new_secrets(aws: Aws) -> None:
    kms = boto3.client("kms", region_name=REGION)
    arn = kms.create_key(Description="routing keys")["KeyMetadata"]["Arn"]
    store = aws.store(kms_key_id=arn)
    store.write("ml-fraud-detector", KEY)
    described = aws.admin.describe_secret(SecretId="mlcp/routing-keys/ml-fraud-detector")
    assert described["KmsKeyId"] == arn


def test_a_secret_that_is_not_mlcps_is_never_written_or_removed(aws: Aws) -> None:
    name = "mlcp/routing-keys/ml-fraud-detector"
    aws.admin.create_secret(Name=name, SecretString="theirs")
    store = aws.store()
    with pytest.raises(KeyStoreError, match=f"secret {name} exists without the tag"):
        store.write("ml-fraud-detector", KEY)
    assert store.remove("ml-fraud-detector") is False
    assert aws.value(name) == "theirs"
    assert aws.writes() == []


def test_managed_lists_only_mlcps_secrets_under_the_prefix(aws: Aws) -> None:
    store = aws.store()
    store.write("ml-fraud-detector", KEY)
    store.write("ml-recommender", KEY)
    aws.admin.create_secret(Name=PREFIX + "ml-theirs", SecretString="x")  # untagged
    aws.admin.create_secret(  # tagged, but elsewhere
        Name="other/ml-elsewhere", SecretString="x", Tags=secrets.tags("ml-elsewhere")
    )
    assert store.managed() == ["ml-fraud-detector", "ml-recommender"]


def test_a_removed_key_is_recoverable_and_comes_back_when_wanted_again(aws: Aws) -> None:
    store = aws.store()
    store.write("ml-fraud-detector", KEY)
    assert store.remove("ml-fraud-detector") is True
    assert store.read("ml-fraud-detector") is None
    assert store.managed() == []  # scheduled for deletion: not listed, not removed twice
    assert store.remove("ml-fraud-detector") is False
    deleted = [p for _, op, p in aws.sent if op == "delete_secret"]
    assert deleted == [{"SecretId": PREFIX + "ml-fraud-detector", "RecoveryWindowInDays": 7}]
    assert store.write("ml-fraud-detector", "N" * 32) is True  # restored, then put
    assert aws.writes()[-2:] == ["restore_secret", "put_secret_value"]
    assert aws.value(PREFIX + "ml-fraud-detector") == "N" * 32


def test_the_check_names_the_caller_region_and_prefix(aws: Aws) -> None:
    line = aws.store().check()
    assert line == (  # moto's account and caller
        "routing keys: Secrets Manager mlcp/routing-keys/* in eu-west-1, "
        "as arn:aws:sts::123456789012:user/moto"
    )
    assert [op for _, op, _ in aws.sent] == ["get_caller_identity", "list_secrets"]


def test_the_check_refuses_a_kms_key_that_cannot_encrypt(aws: Aws) -> None:
    kms = boto3.client("kms", region_name=REGION)
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.disable_key(KeyId=key)
    with pytest.raises(KeyStoreError, match=f"KMS key {key} is Disabled"):
        aws.store(kms_key_id=key).check()
    with pytest.raises(KeyStoreError, match="KMS describe_key alias/missing: NotFoundException"):
        aws.store(kms_key_id="alias/missing").check()


def test_without_credentials_the_check_says_so_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    no_credentials(monkeypatch, tmp_path)  # botocore stops before sending anything
    with pytest.raises(KeyStoreError) as caught:
        SecretsManagerKeys(boto3.session.Session(region_name=REGION), PREFIX, None).check()
    assert str(caught.value) == (
        "cannot keep routing keys in Secrets Manager (mlcp/routing-keys/* in eu-west-1): "
        "AWS credentials get_caller_identity: Unable to locate credentials"
    )


@pytest.mark.parametrize(
    ("operation", "request_"),
    [
        ("create_secret", secrets.create_request(PREFIX + "ml-a", "ml-a", KEY, None)),
        ("create_secret", secrets.create_request(PREFIX + "ml-a", "ml-a", KEY, "alias/keys")),
        ("put_secret_value", secrets.put_request(PREFIX + "ml-a", KEY)),
        ("delete_secret", secrets.delete_request(PREFIX + "ml-a")),
        ("list_secrets", secrets.list_request(PREFIX)),
    ],
)
def test_each_request_fits_the_secrets_manager_model(operation: str, request_: Any) -> None:
    validate_request("secretsmanager", operation, request_)


def test_the_model_check_catches_a_misspelt_parameter() -> None:
    # The oracle works: the request builders would not pass it by accident.
    with pytest.raises(ParamValidationError, match="Unknown parameter"):
        validate_request("secretsmanager", "create_secret", {"Name": "x", "Secret": KEY})
