"""Bringing a spec's data and production profile into a pipeline folder.

`retraining.data.source` and `features.profile` may be a local path (relative
to the spec's folder), a `file://` URL or an `s3://` URL, so the same pipeline
runs offline on local data and in the cloud on S3. A folder or an S3 prefix
means every Parquet or CSV file in it, read in name order as one table.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlparse

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from controlplane.pipeline.context import PipelineError

DATA_SUFFIXES = (".parquet", ".pq", ".csv", ".csv.gz", ".csv.bz2")


def local_path(location: str, base: Path) -> Path | None:
    """The local file a location names (relative to `base`), or None for s3://."""
    parsed = urlparse(location)
    if parsed.scheme == "s3":
        return None
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    if parsed.scheme not in ("", "file") and len(parsed.scheme) > 1:  # c:\ is a path
        raise PipelineError(f"{location}: unsupported location (use a path, file:// or s3://)")
    return Path(os.path.normpath(base / location))


@contextmanager
def _s3_errors(location: str) -> Iterator[None]:
    """What boto3 raises, as one line naming the location (a starter spec's s3://TODO/…)."""
    from botocore.exceptions import (  # type: ignore[import-untyped]
        BotoCoreError,
        ClientError,
        NoCredentialsError,
    )

    try:
        yield
    except NoCredentialsError:
        raise PipelineError(
            f"{location}: no AWS credentials to read it"
            " (configure them, e.g. with AWS_PROFILE, or use a local path)"
        ) from None
    except (BotoCoreError, ClientError) as error:
        raise PipelineError(f"{location}: cannot read it from S3: {error}") from None


def _download_s3(location: str, into: Path) -> Path:
    import boto3  # only when the data is on S3: it costs a second to import

    parsed = urlparse(location)
    bucket, prefix = parsed.netloc, parsed.path.lstrip("/")
    with _s3_errors(location):
        client = boto3.client("s3")
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        keys = sorted(
            item["Key"]
            for page in pages
            for item in page.get("Contents", [])
            if item["Key"].lower().endswith(DATA_SUFFIXES) or item["Key"] == prefix
        )
        if not keys:
            raise PipelineError(f"{location}: no object there")
        for index, key in enumerate(keys):
            client.download_file(bucket, key, str(into / f"{index:06d}-{Path(key).name}"))
    return into


def _read(path: Path) -> pa.Table:
    name = path.name.lower()
    try:
        if name.endswith((".parquet", ".pq")):
            return pq.read_table(path)
        if name.endswith((".csv", ".csv.gz", ".csv.bz2")):
            return pacsv.read_csv(path)
    except (OSError, pa.ArrowException) as error:
        raise PipelineError(f"{path}: cannot read: {error}") from None
    raise PipelineError(f"{path}: unknown format (expected .parquet or .csv)")


def read_location(path: Path) -> pa.Table:
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.name.lower().endswith(DATA_SUFFIXES))
        if not files:
            raise PipelineError(f"{path}: no .parquet or .csv file in it")
        return pa.concat_tables([_read(p) for p in files], promote_options="default")
    if not path.exists():
        raise PipelineError(f"{path}: no such file or folder")
    return _read(path)


def fetch_table(location: str, base: Path, target: Path) -> int:
    """Write the data at `location` to `target` as Parquet (unchanged bytes when unchanged)."""
    path = local_path(location, base)
    with tempfile.TemporaryDirectory() as scratch:
        table = read_location(path if path else _download_s3(location, Path(scratch)))
    target.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, target)
    return int(table.num_rows)


def fetch_file(location: str, base: Path, target: Path) -> None:
    """Copy one file (a profile) from a path, file:// or s3:// to `target`."""
    path = local_path(location, base)
    target.parent.mkdir(parents=True, exist_ok=True)
    if path is None:
        import boto3

        parsed = urlparse(location)
        with _s3_errors(location):
            boto3.client("s3").download_file(parsed.netloc, parsed.path.lstrip("/"), str(target))
        return
    if not path.is_file():
        raise PipelineError(f"{location}: no such file")
    shutil.copyfile(path, target)
