"""bronze_to_silver: new bronze lines to silver rows, quarantine and the silver index, exactly once."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from urllib.parse import unquote

from py4j.protocol import Py4JError
from pyspark import StorageLevel
from pyspark.errors import PySparkException
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from lakehouse.dedup import SilverAppend, ids_to_decide, not_in
from lakehouse.functions import in_months
from lakehouse.jobs.run_record import RunReport
from lakehouse.lake import Lake
from lakehouse.layout import parse_key
from lakehouse.runtime.base import Runtime
from lakehouse.schemas import table_rows
from lakehouse.tables import BRONZE, QUARANTINE, SILVER, SILVER_INDEX
from lakehouse.transforms import (
    QUARANTINE_KEYS,
    classify_lines,
    corrupt_objects,
    quarantine_rows,
    valid_rows,
)

log = logging.getLogger(__name__)

# What a failed read of bronze raises in PySpark: a Java exception through Py4J, or one PySpark converted.
READ_FAILURES = (Py4JError, PySparkException)


@dataclass(frozen=True)
class BatchProfile:
    """Counts of a classified batch, grouped small enough to hold on the driver."""

    lines_per_object: Counter[str]
    by_reason: Counter[str]
    valid_per_partition: Counter[tuple[str, str, str]]  # (ingest_dt, year, month) -> valid rows
    id_range: tuple[str, str] | None = None  # the least and greatest valid event_id (string order)
    quarantine_days: frozenset[str] = frozenset()  # the ingest days of the lines quarantined

    @classmethod
    def of(cls, classified: DataFrame) -> BatchProfile:
        keys = ("source_object", "reason", "ingest_dt", "year", "month")
        stats = (F.count(F.lit(1)).alias("count"), F.min("event_id").alias("lo"), F.max("event_id").alias("hi"))
        groups = classified.groupBy(*keys).agg(*stats).collect()
        objects: Counter[str] = Counter()
        reasons: Counter[str] = Counter()
        valid: Counter[tuple[str, str, str]] = Counter()
        lows, highs, bad_days = [], [], set()
        for g in groups:
            objects[unquote(g["source_object"])] += g["count"]  # Spark's names are URL-encoded
            if g["reason"] is None:
                valid[(g["ingest_dt"], g["year"], g["month"])] += g["count"]
                lows.append(g["lo"])
                highs.append(g["hi"])
            else:
                reasons[g["reason"]] += g["count"]
                bad_days.add(g["ingest_dt"])
        return cls(objects, reasons, valid, (min(lows), max(highs)) if lows else None, frozenset(bad_days))

    @classmethod
    def empty(cls) -> BatchProfile:
        return cls(Counter(), Counter(), Counter())

    @property
    def months(self) -> set[tuple[str, str]]:
        return {(year, month) for _, year, month in self.valid_per_partition}


@dataclass(frozen=True)
class Batch:
    """The new bronze lines, judged and held for the run (cached without valid raw lines), and their counts."""

    classified: DataFrame
    lines: DataFrame  # the same lines, read again, with every raw line: only for the rare conflicts
    profile: BatchProfile

    def release(self) -> None:
        self.classified.unpersist()


def read_batch(runtime: Runtime) -> Batch | None:
    """Read and judge every new bronze line, optimistically: objects are read whole or quarantined.

    Spark reads the new objects directly. Hadoop's gzip reader fails on a truncated or corrupt
    stream, so a failed read is the signal to check the objects one by one: the unreadable ones
    become one `corrupt_object` row each and the rest are read again. Nothing is checked twice in
    the usual run, where every object is whole. None when there is nothing new.
    """
    try:
        return _judged(runtime, corrupt=())
    except READ_FAILURES as failure:
        corrupt = tuple(runtime.find_unreadable())
        if not corrupt:
            raise
        for name in corrupt:
            log.warning("quarantining corrupt object %s", name)
        log.debug("the read that failed: %s", failure)
        return _judged(runtime, corrupt)


def _judged(runtime: Runtime, corrupt: tuple[str, ...]) -> Batch | None:
    limit = runtime.settings.max_line_bytes
    bronze = runtime.read_new_bronze(skip=corrupt)
    if bronze is None and not corrupt:
        return None
    runtime.lake.prepare()  # the catalog opens while Spark reads the batch
    if bronze is None:  # every new object was corrupt
        bronze = runtime.spark.createDataFrame([], "value string, source_object string")
    cache = StorageLevel.MEMORY_AND_DISK
    classified = classify_lines(bronze, limit, lean=True, materialise=lambda df: df.persist(cache))
    if corrupt:
        objects = runtime.spark.createDataFrame([(o,) for o in corrupt], "source_object string")
        classified = classified.unionByName(corrupt_objects(objects))
    try:
        profile = BatchProfile.of(classified)
    except BaseException:
        classified.unpersist()
        raise
    return Batch(classified, classify_lines(bronze, limit), profile)


def write_quarantine(lake: Lake, batch: Batch, report: RunReport) -> None:
    """Append bad lines not already quarantined by an earlier attempt at the same objects."""
    days = sorted(batch.profile.quarantine_days)
    if not days:
        return
    held = lake.read(QUARANTINE, F.col("ingest_dt").isin(days)).select(*QUARANTINE_KEYS)
    fresh = not_in(quarantine_rows(batch.classified, report.started_at), held, QUARANTINE_KEYS)
    lake.append(QUARANTINE, fresh.repartition("ingest_dt"), ({"ingest_dt": d} for d in days))


def held_ids(lake: Lake, profile: BatchProfile) -> DataFrame:
    """Event ids already in the silver partitions this batch writes to, between its least and greatest.

    An exact bound (no id outside it can match) that Parquet's min/max statistics turn into skipped
    files, so the cost of a run stays that of its batch, not of the partition's history.
    """
    lo, hi = profile.id_range or ("", "")
    return lake.read(SILVER, in_months(profile.months)).where(F.col("event_id").between(lo, hi)).select("event_id")


def write_silver(lake: Lake, batch: Batch) -> int:
    """Append the events silver does not hold yet, first copy per event (`lakehouse.dedup`); the rows written."""
    if not batch.profile.valid_per_partition:
        return 0
    valid = valid_rows(batch.classified)
    held = held_ids(lake, batch.profile)
    undecided = ids_to_decide(valid, held).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        if not undecided.count():  # materialised: later joins see its size (a broadcast when small)
            return append_silver(lake, valid)
        rows = SilverAppend.of(valid, held, undecided, valid_rows(batch.lines))
        written = append_silver(lake, rows.first)
        if rows.conflicted.isEmpty():
            return written
        log.info("events with differing copies in one object: deciding by raw line")
        return written + append_silver(lake, rows.second)
    finally:
        undecided.unpersist()


def append_silver(lake: Lake, rows: DataFrame) -> int:
    """Append silver rows, each task's sorted so a file holds its ingest days in order (no shuffle).

    A file per read task and partition; sorted by day, its Parquet statistics on `ingest_dt` let gold
    skip the rows of other days.
    """
    return lake.append(SILVER, rows.select(*SILVER.column_names).sortWithinPartitions("year", "month", "ingest_dt"))


def write_silver_index(lake: Lake, profile: BatchProfile, run_id: str) -> None:
    """Record which year/month partitions hold rows of each ingest day this run saw."""
    rows = [(run_id, n, day, year, month) for (day, year, month), n in sorted(profile.valid_per_partition.items())]
    if rows:
        partitions = ({"ingest_dt": day, "year": year, "month": month} for _, _, day, year, month in rows)
        lake.append(SILVER_INDEX, table_rows(lake.spark, SILVER_INDEX, rows), partitions)


def bronze_to_silver(runtime: Runtime, report: RunReport) -> RunReport:
    """Every new bronze line ends in silver, in quarantine or counted as a duplicate (invariant 1)."""
    lake = runtime.lake
    batch = read_batch(runtime)
    if batch is None:
        log.info("bronze_to_silver: no new bronze objects")
        return report
    try:
        profile = batch.profile
        report.input_objects = len(profile.lines_per_object)
        report.lines_read = sum(profile.lines_per_object.values())
        report.quarantined_by_reason = dict(sorted(profile.by_reason.items()))
        report.quarantined = sum(profile.by_reason.values())
        report.days = sorted({parse_key(obj)[0] for obj in profile.lines_per_object})
        if report.lines_read:
            lake.register(BRONZE, ({"ingest_dt": day} for day in report.days))
            write_quarantine(lake, batch, report)
            report.silver_rows = write_silver(lake, batch)
            write_silver_index(lake, profile, report.run_id)
        report.duplicates = sum(profile.valid_per_partition.values()) - report.silver_rows
    finally:
        batch.release()
    log.info("bronze_to_silver read %d lines from %d objects", report.lines_read, report.input_objects)
    return report
