"""Object stores for bronze writers: a local folder or S3. Writes are whole or absent. No pyspark."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol


def write_atomically(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old content or the new, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class ObjectStore(Protocol):
    """A bucket: keys to bytes."""

    def put(self, key: str, body: bytes) -> None: ...

    def exists(self, key: str) -> bool: ...

    def list(self, prefix: str) -> Iterator[str]: ...


@dataclass(frozen=True)
class LocalStore:
    """A bucket as a folder. `put` writes a temporary file and renames it, so readers never see half."""

    root: Path

    def put(self, key: str, body: bytes) -> None:
        write_atomically(self.root / key, body)

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

    def put(self, key: str, body: bytes) -> None:
        extra: dict[str, str] = {"ServerSideEncryption": "aws:kms"}
        if self.kms_key_id:
            extra["SSEKMSKeyId"] = self.kms_key_id
        self.client.put_object(Bucket=self.bucket, Key=key, Body=body, **extra)

    def exists(self, key: str) -> bool:
        response = self.client.list_objects_v2(Bucket=self.bucket, Prefix=key, MaxKeys=1)
        return any(obj["Key"] == key for obj in response.get("Contents", []))

    def list(self, prefix: str) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            for obj in page.get("Contents", []):
                yield obj["Key"]
