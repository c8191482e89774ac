"""Bronze writer: gzip JSON-lines objects into the raw bucket, each complete or absent, then catalogued."""

from __future__ import annotations

import gzip
import logging
import os
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from lakehouse.layout import object_key, object_name
from lakehouse.storage import LocalStore, ObjectStore, S3Store

logger = logging.getLogger(__name__)

UPLOAD_CONCURRENCY = 4  # S3 multipart threads: 4 x 16 MB in flight at most
UPLOAD_CHUNK_BYTES = 16 * 1024 * 1024


class PartitionRegistrar(Protocol):
    """Adds an ingest_dt partition of the bronze table to a catalog, idempotently."""

    def register(self, ingest_dt: str) -> None: ...


@dataclass(frozen=True)
class WrittenObject:
    key: str
    events: int
    size: int


def gzip_lines(texts: Sequence[str]) -> bytes:
    """One gzip member holding each text as a UTF-8 line; mtime 0, so the same lines give the same bytes."""
    raw = "".join(f"{text}\n" for text in texts).encode("utf-8")
    return gzip.compress(raw, compresslevel=6, mtime=0)


@dataclass
class BronzeWriter:
    """Writes bronze objects and registers each new ingest_dt once per writer."""

    store: ObjectStore
    registrar: PartitionRegistrar | None = None
    _registered: set[str] = field(default_factory=set)

    def write_events(self, arrival: datetime, unique: str, texts: Sequence[str]) -> WrittenObject:
        """Write texts as one object named by arrival time and unique, in the partition of arrival's day."""
        day = arrival.astimezone(UTC).date().isoformat()
        key = object_key(day, object_name(arrival, unique))
        body = gzip_lines(texts)
        self.store.put(key, body)
        logger.info("wrote %s: %d events, %d bytes", key, len(texts), len(body),
                    extra={"object": key, "events": len(texts)})
        self.register(day)
        return WrittenObject(key=key, events=len(texts), size=len(body))

    def write_file(self, key: str, path: Path) -> None:
        """Move a finished local file into the store as key (complete or absent)."""
        put_file(self.store, key, path)
        self.register(key.split("ingest_dt=", 1)[1].split("/", 1)[0])

    def register(self, day: str) -> None:
        """Register the partition of day in the catalog, unless done already by this writer."""
        if self.registrar is not None and day not in self._registered:
            self.registrar.register(day)
            self._registered.add(day)


def put_file(store: ObjectStore, key: str, path: Path) -> None:
    """Put a file without reading it into memory: a rename locally, a multipart upload to S3."""
    if isinstance(store, LocalStore):
        target = store.root / key
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = target.parent / f".tmp-{uuid.uuid4().hex}.part"  # hidden: LocalStore.list skips it
        try:
            shutil.move(path, staged)
            with open(staged, "rb") as f:
                os.fsync(f.fileno())
            os.replace(staged, target)
        except BaseException:
            staged.unlink(missing_ok=True)
            raise
    elif isinstance(store, S3Store):
        from boto3.s3.transfer import TransferConfig  # only when writing to S3

        extra = {"ServerSideEncryption": "aws:kms"}
        if store.kms_key_id:
            extra["SSEKMSKeyId"] = store.kms_key_id
        config = TransferConfig(max_concurrency=UPLOAD_CONCURRENCY, multipart_chunksize=UPLOAD_CHUNK_BYTES)
        store.client.upload_file(str(path), store.bucket, key, ExtraArgs=extra, Config=config)
    else:
        store.put(key, path.read_bytes())
