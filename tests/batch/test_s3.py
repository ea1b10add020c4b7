"""The S3 store against moto: the same protocol, killed after every possible write."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from controlplane import batch
from controlplane.batch import Run, S3Store
from tests.batch.test_checkpoint import Killed, expected

BUCKET, PREFIX, ROWS = "acme-ml-checkpoints", "demand-forecast/run-2026-11-30", 12


class DiesAfter(S3Store):
    """An S3 store whose process dies after `writes` successful writes."""

    def __init__(self, client: Any, writes: int) -> None:
        super().__init__(BUCKET, PREFIX, client=client)
        self.left = writes

    def write(self, name: str, data: bytes) -> None:
        if self.left == 0:
            raise Killed
        self.left -= 1
        super().write(name, data)


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch, fake_aws_credentials: None) -> Iterator[Any]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    with mock_aws():
        client = boto3.client("s3")
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        yield client


def attempt(store: S3Store) -> None:
    """The job: rows from where the last commit left off, a commit after every other row."""
    ticks = iter(range(10**6))
    with Run(store, every=2, clock=lambda: float(next(ticks))) as run:
        for row in range(run.position, ROWS):
            run.row_done({"row": row, "score": row * row + 1})


def keys(client: Any) -> list[str]:
    listing = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return sorted(item["Key"] for item in listing)


@pytest.mark.parametrize("writes", range(13))  # a clean attempt writes 13 objects
def test_a_run_killed_after_any_write_resumes_exactly_once(s3: Any, writes: int) -> None:
    with pytest.raises(Killed):
        attempt(DiesAfter(s3, writes))
    attempt(S3Store(BUCKET, PREFIX, client=s3))
    final = Run(S3Store(BUCKET, PREFIX, client=s3), every=0)
    assert final.finished
    assert list(final.results()) == expected(ROWS)
    named = {f"{PREFIX}/{p}" for p in final.committed.parts} | {f"{PREFIX}/checkpoint.json"}
    assert set(keys(s3)) == named  # no orphan part left behind


def test_resume_reads_an_s3_uri_from_the_environment(s3: Any) -> None:
    env = {"MLCP_CHECKPOINT_URI": f"s3://{BUCKET}/{PREFIX}/", "MLCP_CHECKPOINT_EVERY": "0"}
    with batch.resume(env) as run:
        run.row_done({"row": 0, "score": 1})
    assert keys(s3) == [f"{PREFIX}/checkpoint.json", f"{PREFIX}/part-000000000000.jsonl"]


def test_a_clean_attempt_writes_thirteen_objects(s3: Any) -> None:
    # 6 commits of a part and a checkpoint each, then the finished mark: the range above
    store = DiesAfter(s3, 13)
    attempt(store)
    assert store.left == 0
