"""compact_silver: rewrite each silver partition that holds more files than ingest days, exactly once.

A partition is rewritten into a new folder (`_compacted/<run id>/year=Y/month=M`, hidden from listings
by its `_`), checked (same rows, and no file arrived meanwhile), then switched to in one catalog update
(`ALTER TABLE ... PARTITION ... SET LOCATION`). Readers see the old files or the new ones, never both
and never neither; a crash before the switch leaves an unused folder, after it an unused old folder;
`sweep` removes both on the next run. It must never run beside bronze_to_silver (an append to the
old folder after the check would be lost): locally the per-root lock keeps them apart, on Glue it runs
as `bronze_to_silver --mode compact`, which the job's MaxConcurrentRuns 1 with queuing serializes.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from typing import Any

from pyspark.sql import SparkSession

from lakehouse.catalog import described_location, partition_clause, partition_values, qualified, same_place
from lakehouse.jobs.runs import RunReport
from lakehouse.runtime.base import JobError, Runtime
from lakehouse.schemas import table_schema
from lakehouse.settings import Settings
from lakehouse.tables import SILVER, SILVER_INDEX

log = logging.getLogger(__name__)

COMPACTED = "_compacted"


@dataclass(frozen=True)
class Partition:
    year: str
    month: str
    location: str
    files: tuple[str, ...]

    @property
    def spec(self) -> str:
        return partition_clause({"year": self.year, "month": self.month})


class Storage:
    """Files through Hadoop's FileSystem, so the same code lists and deletes on a local disk and on S3."""

    def __init__(self, spark: SparkSession) -> None:
        self.jvm = spark.sparkContext._jvm
        self.conf = spark.sparkContext._jsc.hadoopConfiguration()

    def _path(self, location: str) -> tuple[Any, Any]:
        path = self.jvm.org.apache.hadoop.fs.Path(location)  # type: ignore[union-attr]
        return path, path.getFileSystem(self.conf)

    def data_files(self, location: str) -> tuple[str, ...]:
        """Data files directly in a folder (hidden and `_` files excluded), sorted."""
        path, fs = self._path(location)
        if not fs.exists(path):
            return ()
        names = [s.getPath().toString() for s in fs.listStatus(path) if s.isFile()]
        return tuple(sorted(n for n in names if not n.rsplit("/", 1)[1].startswith((".", "_"))))

    def folders(self, location: str) -> list[str]:
        path, fs = self._path(location)
        if not fs.exists(path):
            return []
        return sorted(s.getPath().toString() for s in fs.listStatus(path) if s.isDirectory())

    def delete(self, location: str) -> None:
        path, fs = self._path(location)
        fs.delete(path, True)


def partitions(spark: SparkSession, settings: Settings, storage: Storage) -> list[Partition]:
    """Every silver partition with its registered location and data files."""
    table = qualified(settings, SILVER)
    found = []
    for values in partition_values(spark, settings, SILVER):
        location = described_location(spark.sql(f"DESCRIBE FORMATTED {table} {partition_clause(values)}").collect())
        found.append(Partition(values["year"], values["month"], location, storage.data_files(location)))
    return found


def days_per_partition(spark: SparkSession, settings: Settings) -> dict[tuple[str, str], int]:
    """How many ingest days each silver partition holds, from the silver index's partitions."""
    return Counter((p["year"], p["month"]) for p in partition_values(spark, settings, SILVER_INDEX))


def rewrite(spark: SparkSession, settings: Settings, part: Partition, target: str) -> int:
    """Write a partition's rows into `target`, one file per ingest day; the rows written (checked)."""
    data = table_schema(SILVER, with_partitions=False)
    rows = spark.read.schema(data).parquet(*part.files)
    read = rows.count()  # from the Parquet footers
    rows.repartition("ingest_dt").sortWithinPartitions("ingest_dt").write.mode("errorifexists").parquet(target)
    written = spark.read.schema(data).parquet(target).count()
    if written != read:
        raise JobError(f"compaction of {part.spec} read {read} rows and wrote {written}: left as it was")
    return written


def switch(spark: SparkSession, settings: Settings, part: Partition, target: str) -> None:
    """Point the partition at its rewritten folder: one catalog update, seen whole or not at all."""
    spark.sql(f"ALTER TABLE {qualified(settings, SILVER)} {part.spec} SET LOCATION '{target}'")


def sweep(settings: Settings, storage: Storage, registered: list[Partition]) -> None:
    """Remove what an interrupted compaction left: unregistered rewritten folders, replaced default ones."""
    in_use = [p.location for p in registered]
    base = SILVER.location(settings)
    for run in storage.folders(f"{base}/{COMPACTED}"):
        for year in storage.folders(run):
            for month in storage.folders(year):
                if not any(same_place(month, used) for used in in_use):
                    storage.delete(month)
    for part in registered:
        default = SILVER.partition_location(settings, {"year": part.year, "month": part.month})
        if not same_place(part.location, default) and storage.data_files(default):
            storage.delete(default)


def compact_silver(runtime: Runtime, report: RunReport) -> RunReport:
    """Rewrite every partition with more files than ingest days; the report counts files and rows."""
    spark, settings = runtime.spark, runtime.settings
    storage = Storage(spark)
    found = partitions(spark, settings, storage)
    sweep(settings, storage, found)
    days = days_per_partition(spark, settings)
    for part in found:
        if len(part.files) <= max(days.get((part.year, part.month), 1), 1):
            continue
        target = f"{SILVER.location(settings)}/{COMPACTED}/{report.run_id}/year={part.year}/month={part.month}"
        rows = rewrite(spark, settings, part, target)
        if storage.data_files(part.location) != part.files:  # an append arrived meanwhile: try next time
            log.warning("silver %s changed while compacting: left as it is", part.spec)
            storage.delete(target)
            continue
        switch(spark, settings, part, target)
        storage.delete(part.location)
        report.input_objects += len(part.files)
        report.files_written += len(storage.data_files(target))
        report.lines_read += rows
        report.silver_rows += rows
        report.partitions.append(f"year={part.year}/month={part.month}")
    spark.catalog.refreshTable(qualified(settings, SILVER))
    return report
