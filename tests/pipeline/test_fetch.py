"""retraining.data.source as a path (relative to the spec's folder), a file:// URL, a folder,
or an s3:// prefix (against moto's S3): the same rows arrive in the pipeline folder."""

from __future__ import annotations

import re
from pathlib import Path

import boto3
import pandas as pd
import pytest
from moto import mock_aws

from controlplane.pipeline.context import PipelineError
from controlplane.pipeline.fetch import fetch_table

FRAME = pd.DataFrame({"amount": [1.5, 2.5, None], "country": ["US", "GB", "US"]})


def _fetched(location: str, base: Path, tmp_path: Path) -> pd.DataFrame:
    target = tmp_path / "out" / "source.parquet"
    assert fetch_table(location, base, target) == len(FRAME) * (2 if "folder" in location else 1)
    return pd.read_parquet(target)


def test_a_path_relative_to_the_spec_folder(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    FRAME.to_parquet(tmp_path / "data/tx.parquet", index=False)
    specs = tmp_path / "specs"
    pd.testing.assert_frame_equal(_fetched("../data/tx.parquet", specs, tmp_path), FRAME)


def test_a_file_url_and_csv(tmp_path: Path) -> None:
    FRAME.to_csv(tmp_path / "tx.csv", index=False)
    fetched = _fetched((tmp_path / "tx.csv").as_uri(), Path("/nowhere"), tmp_path)
    pd.testing.assert_frame_equal(fetched, FRAME)


def test_a_folder_of_files_in_name_order(tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    FRAME.to_parquet(folder / "b.parquet", index=False)
    FRAME.iloc[::-1].to_parquet(folder / "a.parquet", index=False)
    fetched = _fetched(str(folder), tmp_path, tmp_path)
    expected = pd.concat([FRAME.iloc[::-1], FRAME], ignore_index=True)
    pd.testing.assert_frame_equal(fetched, expected)


@mock_aws
def test_an_s3_prefix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    s3 = boto3.client("s3", region_name="eu-west-1")
    s3.create_bucket(
        Bucket="acme-data", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    FRAME.to_parquet(tmp_path / "part.parquet", index=False)
    s3.upload_file(str(tmp_path / "part.parquet"), "acme-data", "transactions/part-0.parquet")
    s3.put_object(Bucket="acme-data", Key="transactions/_SUCCESS", Body=b"")
    pd.testing.assert_frame_equal(
        _fetched("s3://acme-data/transactions/", tmp_path, tmp_path), FRAME
    )


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("missing.parquet", "missing.parquet: no such file or folder"),
        ("gs://bucket/x", "gs://bucket/x: unsupported location (use a path, file:// or s3://)"),
    ],
)
def test_what_cannot_be_fetched_is_one_clear_error(
    location: str, message: str, tmp_path: Path
) -> None:
    with pytest.raises(PipelineError, match=re.escape(message)):
        fetch_table(location, tmp_path, tmp_path / "out.parquet")


@mock_aws
def test_an_s3_bucket_that_is_not_there_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    with pytest.raises(PipelineError) as raised:
        fetch_table("s3://no-such-bucket/data/", tmp_path, tmp_path / "out.parquet")
    message = str(raised.value)
    assert message.startswith("s3://no-such-bucket/data/: cannot read it from S3: ")
    assert "NoSuchBucket" in message and "\n" not in message
