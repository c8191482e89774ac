"""Helpers for pipeline tests: put real event lines into bronze, run a job, read a table."""

from __future__ import annotations

import gzip
import json
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession

from lakehouse.bookmarks import BookmarkOption
from lakehouse.catalog import qualified
from lakehouse.ingest.bronze_writer import BronzeWriter
from lakehouse.jobs.run_record import RunReport
from lakehouse.jobs.runner import run_job
from lakehouse.lake import Lake
from lakehouse.layout import object_key, object_name
from lakehouse.runtime.local import LocalRuntime
from lakehouse.settings import Settings
from lakehouse.storage import LocalStore
from lakehouse.tables import Table

DATA = Path(__file__).parents[2] / "data" / "github-events"
ARRIVAL = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)


def real_lines(name: str, limit: int | None = None) -> list[bytes]:
    """Lines of a real GH Archive file from data/github-events/gharchive."""
    path = DATA / "gharchive" / name
    opener = gzip.open if name.endswith(".gz") else open
    with opener(path, "rb") as stream:  # type: ignore[operator]
        lines = stream.read().splitlines()
    return lines[:limit] if limit is not None else lines


def with_field(line: bytes, path: str, value: object) -> bytes:
    """A real event with one field (`actor.login`: a nested one) set to `value`, as compact JSON like GitHub's."""
    event = json.loads(line)
    parent, _, child = path.partition(".")
    if child:
        event[parent][child] = value
    else:
        event[parent] = value
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def put_object(lake: Settings, ingest_dt: str, unique: str, lines: list[bytes], raw: bytes | None = None) -> Path:
    """Write one bronze object of lines (each ended by LF) through the bronze writer; `raw` puts those bytes instead.

    Either way the object is named by ARRIVAL and unique, and appears whole (a raw object may be a damaged gzip).
    """
    store = LocalStore(Path(lake.uri("raw")))
    if raw is None:
        key = BronzeWriter(store).write((line + b"\n" for line in lines), ARRIVAL, unique, ingest_dt).key
        if not key:
            raise ValueError("put_object needs at least one line, or raw bytes")
    else:
        key = object_key(ingest_dt, object_name(ARRIVAL, unique))
        store.put(key, raw)
    return Path(lake.uri("raw", key))


def run(spark: SparkSession, lake: Settings, job: str, option: BookmarkOption = BookmarkOption.ENABLE) -> RunReport:
    return run_job(LocalRuntime.create(spark, lake, job, option))


def table(spark: SparkSession, lake: Settings, t: Table) -> DataFrame:
    return spark.table(qualified(lake, t))


@dataclass
class CrashBeforeCommit:
    """A local runtime that dies after every write, just before the bookmark commit."""

    inner: LocalRuntime
    spark: SparkSession = field(init=False)
    settings: Settings = field(init=False)
    job: str = field(init=False)
    lake: Lake = field(init=False)

    def __post_init__(self) -> None:
        self.spark, self.settings, self.job, self.lake = (
            self.inner.spark, self.inner.settings, self.inner.job, self.inner.lake
        )

    def read_new_bronze(self, skip: Collection[str] = ()) -> DataFrame | None:
        return self.inner.read_new_bronze(skip)

    def read_bronze_objects(self, names: Collection[str]) -> DataFrame:
        return self.inner.read_bronze_objects(names)

    def find_unreadable(self) -> list[str]:
        return self.inner.find_unreadable()

    def new_silver_index_days(self):  # type: ignore[no-untyped-def]
        return self.inner.new_silver_index_days()

    def commit(self) -> None:
        raise SystemExit("killed before the bookmark commit")
