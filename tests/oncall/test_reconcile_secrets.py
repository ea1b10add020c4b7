"""`controlplane.oncall.run` with the keys in AWS Secrets Manager (moto's), against the
local PagerDuty API: each service's key is the secret Alertmanager mounts, a second apply
writes nothing, and prune removes mlcp's secrets only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from controlplane.oncall import run
from controlplane.oncall.secrets import SecretsManagerKeys, tags
from tests.oncall.aws_model import record_requests, validate_request
from tests.oncall.pagerduty_server import PagerDuty

REGION = "eu-west-1"  # specs/mlcp.yaml's aws.region
PREFIX = "acme/pagerduty/"
SERVICES = ["ml-demand-forecast", "ml-fraud-detector", "ml-recommender"]  # "ml-" + each spec
READS = ("describe_secret", "get_secret_value", "list_secrets")
Request = tuple[str, str, dict[str, Any]]


class Aws:
    def __init__(self) -> None:
        self.recorded: list[list[Request]] = []
        self.regions: list[str] = []
        self.admin = boto3.client("secretsmanager", region_name=REGION)  # the test's own eyes

    def connect(self, region: str, prefix: str, kms_key_id: str | None) -> SecretsManagerKeys:
        """SecretsManagerKeys.connect, with every request the store sends recorded."""
        self.regions.append(region)
        session = boto3.session.Session(region_name=region)
        self.recorded.append(record_requests(session))
        return SecretsManagerKeys(session, prefix, kms_key_id)

    def requests(self) -> list[Request]:
        return [request for run in self.recorded for request in run]

    def writes(self) -> list[tuple[str, str]]:
        return [
            (op, str(p.get("SecretId") or p.get("Name")))
            for _, op, p in self.requests()
            if op not in READS
        ]

    def secrets(self) -> dict[str, str]:
        names = [s["Name"] for s in self.admin.list_secrets()["SecretList"]]
        return {n: self.admin.get_secret_value(SecretId=n)["SecretString"] for n in names}


@pytest.fixture
def aws(fake_aws_credentials: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Aws]:
    with mock_aws():
        aws = Aws()
        monkeypatch.setattr(SecretsManagerKeys, "connect", aws.connect)
        yield aws
        for service, operation, params in aws.requests():  # as Secrets Manager's model says
            validate_request(service, operation, params)


@pytest.fixture
def secret_specs(specs: Path) -> Path:
    config = specs / "mlcp.yaml"
    text = config.read_text()
    (line,) = [x for x in text.splitlines(keepends=True) if "routing_key_dir:" in x]
    block = (
        "  routing_keys:\n"
        "    store: aws-secretsmanager\n"
        f"    prefix: {PREFIX}\n"
        "    mount: /etc/alertmanager/keys\n"
    )
    config.write_text(text.replace(line, block))
    return specs


def integration_keys(account: PagerDuty) -> dict[str, str]:
    return {
        service["name"]: account.integrations[service["integrations"][0]]["integration_key"]
        for service in account.services.values()
    }


def test_each_services_key_becomes_its_secret(
    pagerduty_api: PagerDuty, secret_specs: Path, aws: Aws
) -> None:
    result = run(secret_specs, apply=True, prune=False)

    assert not result.failed, result.lines()
    assert aws.regions == [REGION]
    keys = integration_keys(pagerduty_api)
    assert sorted(keys) == SERVICES
    assert aws.secrets() == {PREFIX + name: keys[name] for name in SERVICES}
    for name in SERVICES:
        found = aws.admin.describe_secret(SecretId=PREFIX + name)["Tags"]
        assert {t["Key"]: t["Value"] for t in found} == {
            "mlcp:managed-by": "mlcp",
            "mlcp:service": name,
        }
    assert not (secret_specs.parent / "keys").exists()  # no key file anywhere
    assert f"routing key written to secret {PREFIX}ml-fraud-detector" in "\n".join(result.lines())


def test_a_second_apply_writes_no_secret(
    pagerduty_api: PagerDuty, secret_specs: Path, aws: Aws
) -> None:
    run(secret_specs, apply=True, prune=False)
    first = aws.writes()
    assert first == [("create_secret", PREFIX + name) for name in SERVICES]

    again = run(secret_specs, apply=True, prune=False)

    assert not again.failed
    assert aws.writes() == first
    assert again.lines()[-1] == "applied: 3 unchanged"


def test_plan_says_which_secrets_apply_would_write(
    pagerduty_api: PagerDuty, secret_specs: Path, aws: Aws
) -> None:
    run(secret_specs, apply=True, prune=False)
    aws.admin.put_secret_value(SecretId=PREFIX + "ml-recommender", SecretString="stale")

    planned = run(secret_specs, apply=False, prune=False)

    assert "unchanged ml-fraud-detector: as the spec says" in planned.lines()
    assert (
        f"unchanged ml-recommender: as the spec says; would rewrite secret {PREFIX}ml-recommender"
        in planned.lines()
    )
    assert aws.writes() == [("create_secret", PREFIX + name) for name in SERVICES]


def test_prune_removes_our_secrets_only(
    pagerduty_api: PagerDuty, secret_specs: Path, aws: Aws
) -> None:
    run(secret_specs, apply=True, prune=False)
    # Someone else's secret under the prefix, and one of ours whose service is gone already
    # (a prune whose secret delete failed), and one of ours under another repository's prefix.
    aws.admin.create_secret(Name=PREFIX + "ml-theirs", SecretString="theirs")
    aws.admin.create_secret(Name=PREFIX + "ml-old", SecretString="x", Tags=tags("ml-old"))
    aws.admin.create_secret(Name=PREFIX + "ops-a", SecretString="x", Tags=tags("ops-a"))
    (secret_specs / "recommender.yaml").unlink()

    pruned = run(secret_specs, apply=True, prune=True)

    assert not pruned.failed, pruned.lines()
    assert sorted(aws.secrets()) == [
        PREFIX + "ml-demand-forecast",
        PREFIX + "ml-fraud-detector",
        PREFIX + "ml-theirs",
        PREFIX + "ops-a",
    ]
    assert [w for w in aws.writes() if w[0] == "delete_secret"] == [
        ("delete_secret", PREFIX + "ml-recommender"),
        ("delete_secret", PREFIX + "ml-old"),
    ]
    assert pruned.lines()[-1] == "applied: 2 unchanged, 2 deleted"
    assert f"deleted   ml-old: secret {PREFIX}ml-old: no service needs it" in pruned.lines()


def test_a_secret_that_is_not_ours_fails_its_service_alone(
    pagerduty_api: PagerDuty, secret_specs: Path, aws: Aws
) -> None:
    aws.admin.create_secret(Name=PREFIX + "ml-fraud-detector", SecretString="theirs")

    result = run(secret_specs, apply=True, prune=False)

    assert result.failed
    (failed,) = [line for line in result.lines() if line.startswith("failed")]
    assert failed.startswith("failed    ml-fraud-detector: service ")
    assert failed.endswith(
        f"but secret {PREFIX}ml-fraud-detector exists without the tag mlcp:managed-by=mlcp: "
        "it is not mlcp's and is left alone; remove it or change routing_keys.prefix"
    )
    assert aws.secrets()[PREFIX + "ml-fraud-detector"] == "theirs"
    assert sorted(aws.secrets()) == sorted(PREFIX + name for name in SERVICES)
