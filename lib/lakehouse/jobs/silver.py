"""bronze_to_silver: new bronze lines to silver rows, quarantine and the silver index, exactly once."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from urllib.parse import unquote

from pyspark import StorageLevel
from pyspark.sql import DataFrame, Observation, SparkSession
from pyspark.sql import functions as F

from lakehouse.catalog import add_partitions, qualified
from lakehouse.jobs.partitions import partition_filter, write_partitions
from lakehouse.jobs.runs import RunReport
from lakehouse.layout import parse_key
from lakehouse.runtime.base import BronzeInput, JobError, Runtime
from lakehouse.schemas import table_rows
from lakehouse.settings import Settings
from lakehouse.tables import BRONZE, QUARANTINE, SILVER, SILVER_INDEX
from lakehouse.transforms import (
    CONFLICT,
    QUARANTINE_KEYS,
    classify_lines,
    corrupt_objects,
    diagnose,
    first_copy_candidates,
    first_copy_per_event,
    ids_to_decide,
    not_in,
    parse_lines,
    quarantine_rows,
    to_silver,
    valid_rows,
    without_valid_raw_lines,
)

log = logging.getLogger(__name__)


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


def classify(spark: SparkSession, bronze: BronzeInput, max_line_bytes: int, quick: bool = False) -> DataFrame:
    """Every new line parsed and judged; each unreadable object as one `corrupt_object` row.

    `quick` leaves the reasons that need JSON diagnostics as DIAGNOSE (see `parse_lines`).
    """
    classified = (parse_lines if quick else classify_lines)(bronze.lines, max_line_bytes, not bronze.utf8)
    if not bronze.corrupt_objects:
        return classified
    objects = spark.createDataFrame([(o,) for o in bronze.corrupt_objects], "source_object string")
    return classified.unionByName(corrupt_objects(objects))


def reconcile(profile: BatchProfile, line_counts: dict[str, int]) -> None:
    """Fail before writing if Spark read an object other than whole."""
    for obj, expected in sorted(line_counts.items()):
        if profile.lines_per_object.get(obj, 0) != expected:
            raise JobError(
                f"{obj}: Spark read {profile.lines_per_object.get(obj, 0)} lines, the object holds {expected}"
            )


def write_quarantine(
    spark: SparkSession, settings: Settings, classified: DataFrame, profile: BatchProfile, report: RunReport
) -> None:
    """Append bad lines not already quarantined by an earlier attempt at the same objects."""
    days = sorted(profile.quarantine_days)
    if not days:
        return
    held = spark.table(qualified(settings, QUARANTINE)).where(F.col("ingest_dt").isin(days)).select(*QUARANTINE_KEYS)
    fresh = not_in(quarantine_rows(classified, report.started_at), held, QUARANTINE_KEYS)
    write_partitions(spark, settings, QUARANTINE, fresh.repartition("ingest_dt"), ({"ingest_dt": d} for d in days))


def held_ids(spark: SparkSession, settings: Settings, profile: BatchProfile) -> DataFrame:
    """Event ids already in the silver partitions this batch writes to.

    Only ids between the batch's least and greatest are read: an exact bound (no id outside it can
    match) that Parquet's min/max statistics turn into skipped files, so the cost of a run stays that
    of its batch, not of the partition's history (GitHub's ids grow with time).
    """
    months = {(year, month) for _, year, month in profile.valid_per_partition}
    lo, hi = profile.id_range or ("", "")
    held = spark.table(qualified(settings, SILVER)).where(partition_filter(months))
    return held.where(F.col("event_id").between(lo, hi)).select("event_id")


def write_silver(
    spark: SparkSession, settings: Settings, kept: DataFrame, profile: BatchProfile, lines: DataFrame
) -> int:
    """Append events not in silver yet (first copy per event_id); returns the rows written.

    Most events are seen once and are not in silver: they are appended as they are, straight from the
    cache, in one write with no shuffle of rows. Only the ids to decide (seen more than once, or held
    in silver) go through the first-copy aggregation. The rare event whose first copies differ is
    decided by raw line from `lines` (its classified bronze lines, read again only then), in a second
    append: a crash between the two leaves ids that a rerun appends, never one twice.
    """
    table = qualified(settings, SILVER)
    valid = valid_rows(kept)
    held = held_ids(spark, settings, profile)
    undecided = ids_to_decide(valid, held).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        if not undecided.count():  # materialised: later joins see its size (a broadcast when small)
            return append(table, valid)
        plain = valid.join(undecided, on="event_id", how="left_anti")
        candidates = first_copy_candidates(valid.join(undecided, on="event_id", how="left_semi"))
        decided = not_in(candidates, held, ["event_id"])
        first_copies = to_silver(decided.where(~F.col(CONFLICT))).coalesce(1)  # few rows: one more file
        written = append(table, to_silver(plain).unionByName(first_copies))
        conflicted = decided.where(F.col(CONFLICT)).select("event_id")
        if conflicted.isEmpty():
            return written
        log.info("events with differing copies in one object: deciding by raw line")
        first = first_copy_per_event(valid_rows(lines).join(conflicted, on="event_id", how="left_semi"))
        return written + append(table, first)
    finally:
        undecided.unpersist()


def append(table: str, rows: DataFrame) -> int:
    """Insert silver rows, sorted so each file holds its ingest days in order; returns the rows written.

    Each task writes its rows, with no shuffle: a file per read task and partition. Sorted by day, a
    file's Parquet statistics on `ingest_dt` (row groups, and the page index within them) let gold
    skip the rows of other days.
    """
    counted = Observation("append")
    keys = [*SILVER.partition_keys, "ingest_dt"]
    to_silver(rows).sortWithinPartitions(*keys).observe(counted, F.count(F.lit(1)).alias("rows")).write.insertInto(
        table
    )
    return int(counted.get["rows"])


def write_silver_index(spark: SparkSession, settings: Settings, profile: BatchProfile, run_id: str) -> None:
    """Record which year/month partitions hold rows of each ingest day this run saw."""
    rows = [(run_id, n, day, year, month) for (day, year, month), n in sorted(profile.valid_per_partition.items())]
    if rows:
        partitions = ({"ingest_dt": day, "year": year, "month": month} for _, _, day, year, month in rows)
        write_partitions(spark, settings, SILVER_INDEX, table_rows(spark, SILVER_INDEX, rows), partitions)


def bronze_to_silver(runtime: Runtime, report: RunReport) -> RunReport:
    """Run the job: every new bronze line ends in silver, in quarantine or counted as a duplicate."""
    spark, settings = runtime.spark, runtime.settings
    bronze = runtime.read_new_bronze()
    quick = classify(spark, bronze, settings.max_line_bytes, quick=True)
    kept = without_valid_raw_lines(quick).persist(StorageLevel.MEMORY_AND_DISK)
    classified = diagnose(kept, settings.max_line_bytes)
    try:
        profile = BatchProfile.of(classified)
        reconcile(profile, bronze.line_counts)
        report.input_objects = len(set(profile.lines_per_object) | set(bronze.line_counts))
        report.lines_read = sum(profile.lines_per_object.values())
        report.quarantined_by_reason = dict(sorted(profile.by_reason.items()))
        report.quarantined = sum(profile.by_reason.values())
        report.days = sorted({parse_key(obj)[0] for obj in profile.lines_per_object})
        if report.lines_read:
            add_partitions(spark, settings, BRONZE, ({"ingest_dt": day} for day in report.days))
            write_quarantine(spark, settings, classified, profile, report)
            lines = classify(spark, bronze, settings.max_line_bytes)
            report.silver_rows = write_silver(spark, settings, classified, profile, lines)
            write_silver_index(spark, settings, profile, report.run_id)
        report.duplicates = sum(profile.valid_per_partition.values()) - report.silver_rows
    finally:
        kept.unpersist()
    log.info("bronze_to_silver read %d lines from %d objects", report.lines_read, report.input_objects)
    return report
