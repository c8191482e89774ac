"""Test doubles for ingestion: a fake clock, a Lambda context, and readers of what landed in bronze."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from lakehouse.ingest.bronze_writer import BronzeWriter
from lakehouse.ingest.config import IngestConfig
from lakehouse.ingest.github_api import GitHubClient, make_session
from lakehouse.ingest.poller import Poller
from lakehouse.ingest.state import StateStore
from lakehouse.storage import ObjectStore

START = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


@dataclass
class FakeClock:
    """Time that moves only when someone sleeps; hooks run on each sleep (e.g. new events happen)."""

    current: datetime = START
    sleeps: list[float] = field(default_factory=list)
    on_sleep: list[Callable[[float], None]] = field(default_factory=list)

    def now(self) -> datetime:
        return self.current

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.current += timedelta(seconds=seconds)
        for hook in self.on_sleep:
            hook(seconds)

    def remaining_until(self, deadline: datetime) -> Callable[[], float]:
        return lambda: (deadline - self.current).total_seconds()


@dataclass
class LambdaContext:
    """The parts of the Lambda context the handler and Powertools read; remaining time from a clock."""

    deadline: datetime
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    function_name: str = "lakehouse-test-ingest"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:123456789012:function:lakehouse-test-ingest"
    aws_request_id: str = "5f8a2b9c-0d1e-4f2a-9b3c-4d5e6f7a8b9c"
    log_group_name: str = "/aws/lambda/lakehouse-test-ingest"
    log_stream_name: str = "2026/03/01/[$LATEST]0123456789abcdef"

    def get_remaining_time_in_millis(self) -> int:
        return int((self.deadline - self.clock()).total_seconds() * 1000)


def gzip_lines(body: bytes) -> list[bytes]:
    """The lines of a gzip JSON-lines object, without their newlines (which every line must have)."""
    raw = gzip.decompress(body)
    assert raw.endswith(b"\n"), "the last line has no newline"
    return raw[:-1].split(b"\n")


def local_objects(root: Path) -> dict[str, list[bytes]]:
    """Every bronze object under a local bucket folder: key -> lines."""
    return {p.relative_to(root).as_posix(): gzip_lines(p.read_bytes())
            for p in sorted(root.rglob("*.json.gz")) if not p.name.startswith(".")}


def ids_of(lines: list[bytes]) -> list[str]:
    return [str(json.loads(line)["id"]) for line in lines]


def make_poller(api_url: str, clock: FakeClock, deadline: datetime, store: ObjectStore, state: StateStore,
                request_id: str = "req-1", max_rounds: int | None = None, **options: Any) -> Poller:
    """A poller on the fake clock with short timeouts: stop threshold = 10 s margin + 4 s worst fetch."""
    settings: dict[str, Any] = {"read_timeout": 1.0, "connect_timeout": 1.0, "retries": 1,
                                "backoff_factor": 0.001, "margin_seconds": 10.0, "flush_seconds": 180.0}
    config = IngestConfig(api_url=api_url, **{**settings, **options})
    client = GitHubClient(make_session(config, None), config, epoch=lambda: clock.now().timestamp())
    return Poller(client, BronzeWriter(store), state, config, clock, clock.remaining_until(deadline),
                  request_id, max_rounds=max_rounds)


def s3_objects(client: Any, bucket: str) -> dict[str, list[bytes]]:
    """Every bronze object in an S3 bucket: key -> lines."""
    keys = [o["Key"] for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
            for o in page.get("Contents", [])]
    return {key: gzip_lines(client.get_object(Bucket=bucket, Key=key)["Body"].read()) for key in sorted(keys)}
