"""bronze_to_silver: new bronze lines to silver rows, quarantine and the silver index, exactly once."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass

from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from lakehouse.catalog import qualified, register_bronze_partitions
from lakehouse.jobs.partitions import partition_filter
from lakehouse.jobs.runs import RunReport
from lakehouse.layout import parse_key
from lakehouse.runtime.base import BronzeInput, JobError, Runtime
from lakehouse.schemas import table_schema
from lakehouse.settings import Settings
from lakehouse.tables import QUARANTINE, SILVER, SILVER_INDEX
from lakehouse.transforms import (
    QUARANTINE_KEYS,
    classify_lines,
    corrupt_objects,
    first_copy_per_event,
    not_in,
    quarantine_rows,
    to_silver,
    valid_rows,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BatchProfile:
    """Counts of a classified batch, grouped small enough to hold on the driver."""

    lines_per_object: Counter[str]
    by_reason: Counter[str]
    valid_per_partition: Counter[tuple[str, str, str]]  # (ingest_dt, year, month) -> valid rows

    @classmethod
    def of(cls, classified: DataFrame) -> BatchProfile:
        groups = classified.groupBy("source_object", "reason", "ingest_dt", "year", "month").count().collect()
        objects: Counter[str] = Counter()
        reasons: Counter[str] = Counter()
        valid: Counter[tuple[str, str, str]] = Counter()
        for g in groups:
            objects[g["source_object"]] += g["count"]
            if g["reason"] is None:
                valid[(g["ingest_dt"], g["year"], g["month"])] += g["count"]
            else:
                reasons[g["reason"]] += g["count"]
        return cls(objects, reasons, valid)


def classify(spark: SparkSession, bronze: BronzeInput, max_line_bytes: int) -> DataFrame:
    """Every new line parsed and judged; each unreadable object as one `corrupt_object` row."""
    classified = classify_lines(bronze.lines, max_line_bytes)
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


def write_quarantine(spark: SparkSession, settings: Settings, classified: DataFrame, report: RunReport) -> None:
    """Append bad lines not already quarantined by an earlier attempt at the same objects."""
    table = qualified(settings, QUARANTINE)
    held = spark.table(table).where(F.col("ingest_dt").isin(report.days)).select(*QUARANTINE_KEYS)
    fresh = not_in(quarantine_rows(classified, report.started_at), held, QUARANTINE_KEYS)
    fresh.repartition("ingest_dt").write.insertInto(table)


def write_silver(spark: SparkSession, settings: Settings, classified: DataFrame, profile: BatchProfile) -> int:
    """Append events not in silver yet (first copy per event_id); returns the rows written."""
    table = qualified(settings, SILVER)
    months = {(year, month) for _, year, month in profile.valid_per_partition}
    in_silver = spark.table(table).where(partition_filter(months)).select("event_id")
    new_rows = to_silver(not_in(first_copy_per_event(valid_rows(classified)), in_silver, ["event_id"]))
    new_rows = new_rows.repartition("year", "month").persist(StorageLevel.MEMORY_AND_DISK)
    try:
        written = new_rows.count()
        if written:
            new_rows.write.insertInto(table)
        return written
    finally:
        new_rows.unpersist()


def write_silver_index(spark: SparkSession, settings: Settings, profile: BatchProfile, run_id: str) -> None:
    """Record which year/month partitions hold rows of each ingest day this run saw."""
    rows = [(day, year, month, run_id, n) for (day, year, month), n in sorted(profile.valid_per_partition.items())]
    if rows:
        index = spark.createDataFrame(rows, table_schema(SILVER_INDEX)).coalesce(1)
        index.write.insertInto(qualified(settings, SILVER_INDEX))


def bronze_to_silver(runtime: Runtime, report: RunReport) -> RunReport:
    """Run the job: every new bronze line ends in silver, in quarantine or counted as a duplicate."""
    spark, settings = runtime.spark, runtime.settings
    bronze = runtime.read_new_bronze()
    classified = classify(spark, bronze, settings.max_line_bytes).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        profile = BatchProfile.of(classified)
        reconcile(profile, bronze.line_counts)
        report.input_objects = len(set(profile.lines_per_object) | set(bronze.line_counts))
        report.lines_read = sum(profile.lines_per_object.values())
        report.quarantined_by_reason = dict(sorted(profile.by_reason.items()))
        report.quarantined = sum(profile.by_reason.values())
        report.days = sorted({parse_key(obj)[0] for obj in profile.lines_per_object})
        if report.lines_read:
            register_bronze_partitions(spark, settings, report.days)
            write_quarantine(spark, settings, classified, report)
            report.silver_rows = write_silver(spark, settings, classified, profile)
            write_silver_index(spark, settings, profile, report.run_id)
        report.duplicates = sum(profile.valid_per_partition.values()) - report.silver_rows
    finally:
        classified.unpersist()
    log.info("bronze_to_silver read %d lines from %d objects", report.lines_read, report.input_objects)
    return report
