"""Where checkpoints live: a local folder or an S3 prefix, behind one small interface.

Both stores make each object appear whole or not at all: a local file is
written beside its final name and renamed over it (rename is atomic on POSIX),
and an S3 PUT is atomic by design. That is the only property the checkpoint
protocol in `controlplane.batch.checkpoint` relies on.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

from controlplane.batch.errors import CheckpointError


class Store(Protocol):
    def read(self, name: str) -> bytes | None: ...
    def write(self, name: str, data: bytes) -> None: ...
    def names(self) -> list[str]: ...
    def delete(self, name: str) -> None: ...


class LocalStore:
    """Objects are files in one folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def read(self, name: str) -> bytes | None:
        try:
            return (self.folder / name).read_bytes()
        except FileNotFoundError:
            return None

    def write(self, name: str, data: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / name
        partial = target.with_name(f".{name}.{os.getpid()}.partial")
        with partial.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())  # the bytes are on disk before the name points at them
        partial.replace(target)

    def names(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return sorted(p.name for p in self.folder.iterdir() if not p.name.startswith("."))

    def delete(self, name: str) -> None:
        (self.folder / name).unlink(missing_ok=True)


class S3Store:
    """Objects are keys under one prefix of a bucket (boto3, default credentials)."""

    def __init__(self, bucket: str, prefix: str, client: Any = None) -> None:
        import boto3  # only S3 checkpoints pay for it

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = client or boto3.client("s3")

    def read(self, name: str) -> bytes | None:
        try:
            reply = self.client.get_object(Bucket=self.bucket, Key=self.prefix + name)
        except self.client.exceptions.NoSuchKey:
            return None
        body: bytes = reply["Body"].read()
        return body

    def write(self, name: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + name, Body=data)

    def names(self) -> list[str]:
        found: list[str] = []
        pages = self.client.get_paginator("list_objects_v2")
        for page in pages.paginate(Bucket=self.bucket, Prefix=self.prefix):
            found += [item["Key"][len(self.prefix) :] for item in page.get("Contents", [])]
        return sorted(name for name in found if name and "/" not in name)

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + name)


def open_store(uri: str) -> Store:
    """`s3://bucket/prefix` or a local folder (a path or `file://` URL)."""
    parsed = urlparse(uri)
    if parsed.scheme == "s3":
        if not parsed.netloc:
            raise CheckpointError(f"checkpoint URI {uri!r} names no bucket (s3://BUCKET/PREFIX)")
        return S3Store(parsed.netloc, parsed.path)
    if parsed.scheme == "file":
        return LocalStore(Path(parsed.path))
    if parsed.scheme and len(parsed.scheme) > 1:  # one letter is a Windows drive
        raise CheckpointError(
            f"checkpoint URI {uri!r}: use s3://BUCKET/PREFIX, file:///PATH or a local path"
        )
    return LocalStore(Path(uri))
