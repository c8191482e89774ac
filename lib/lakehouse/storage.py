"""Where bronze writers put objects, a local folder or S3, and the one atomic write of a local file. No pyspark."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

COPY_CHUNK_BYTES = 1024 * 1024
UPLOAD_CONCURRENCY = 4  # S3 multipart threads: 4 x 16 MB in flight at most
UPLOAD_CHUNK_BYTES = 16 * 1024 * 1024


@contextmanager
def atomic_file(path: Path) -> Iterator[IO[bytes]]:
    """A file to write that appears at path whole when the block ends (fsynced), or not at all if it raises.

    The temporary file is hidden (`.name.*.tmp`) beside path, so the rename is atomic and Spark, which skips
    names that begin with `.`, never reads it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomically(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old content or the new, never a part."""
    with atomic_file(path) as out:
        out.write(data)


class ObjectStore(Protocol):
    """A bucket: keys to bytes. Every put is whole or absent."""

    def put(self, key: str, body: bytes) -> None: ...

    def put_file(self, key: str, path: Path) -> None: ...

    def exists(self, key: str) -> bool: ...

    def list(self, prefix: str) -> Iterator[str]: ...


@dataclass(frozen=True)
class LocalStore:
    """A bucket as a folder; every put goes through atomic_file, so readers never see half an object."""

    root: Path

    def put(self, key: str, body: bytes) -> None:
        write_atomically(self.root / key, body)

    def put_file(self, key: str, path: Path) -> None:
        """Copy a file in, a chunk at a time."""
        with path.open("rb") as source, atomic_file(self.root / key) as out:
            shutil.copyfileobj(source, out, COPY_CHUNK_BYTES)

    def exists(self, key: str) -> bool:
        return (self.root / key).is_file()

    def list(self, prefix: str) -> Iterator[str]:
        base = self.root / prefix
        if not base.exists():
            return
        for path in sorted(base.rglob("*")):
            if path.is_file() and not path.name.startswith((".", "_")):
                yield path.relative_to(self.root).as_posix()


@dataclass(frozen=True)
class S3Store:
    """A bucket on S3. A PUT is atomic: an object is complete or absent. Encrypted at rest (SSE-KMS)."""

    client: Any  # botocore S3 client, passed in
    bucket: str
    kms_key_id: str | None = None

    def _encryption(self) -> dict[str, str]:
        extra = {"ServerSideEncryption": "aws:kms"}
        if self.kms_key_id:
            extra["SSEKMSKeyId"] = self.kms_key_id
        return extra

    def put(self, key: str, body: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=body, **self._encryption())

    def put_file(self, key: str, path: Path) -> None:
        """Upload a file without reading it into memory (multipart above 8 MB; S3 shows it when complete).

        A file up to the multipart threshold is one PutObject from this thread; a larger one goes through
        the transfer manager's threads.
        """
        from boto3.s3.transfer import TransferConfig  # only when writing to S3

        config = TransferConfig(max_concurrency=UPLOAD_CONCURRENCY, multipart_chunksize=UPLOAD_CHUNK_BYTES)
        if path.stat().st_size <= config.multipart_threshold:
            with path.open("rb") as body:
                self.client.put_object(Bucket=self.bucket, Key=key, Body=body, **self._encryption())
            return
        self.client.upload_file(str(path), self.bucket, key, ExtraArgs=self._encryption(), Config=config)

    def exists(self, key: str) -> bool:
        response = self.client.list_objects_v2(Bucket=self.bucket, Prefix=key, MaxKeys=1)
        return any(obj["Key"] == key for obj in response.get("Contents", []))

    def list(self, prefix: str) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            for obj in page.get("Contents", []):
                yield obj["Key"]
