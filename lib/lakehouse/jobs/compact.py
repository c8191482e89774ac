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

from lakehouse.catalog import partition_clause, same_place
from lakehouse.errors import JobError
from lakehouse.jobs.run_record import RunReport
from lakehouse.lake import Lake
from lakehouse.runtime.base import Runtime
from lakehouse.schemas import table_schema
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
    def values(self) -> dict[str, str]:
        return {"year": self.year, "month": self.month}

    @property
    def spec(self) -> str:
        return partition_clause(self.values)


def partitions(lake: Lake) -> list[Partition]:
    """Every silver partition with its registered location and data files."""
    found = []
    for values in lake.partitions(SILVER):
        location = lake.location(SILVER, values)
        found.append(Partition(values["year"], values["month"], location, lake.data_files(location)))
    return found


def days_per_partition(lake: Lake) -> dict[tuple[str, str], int]:
    """How many ingest days each silver partition holds, from the silver index's partitions."""
    return Counter((p["year"], p["month"]) for p in lake.partitions(SILVER_INDEX))


def rewrite(lake: Lake, part: Partition, target: str) -> int:
    """Write a partition's rows into `target`, one file per ingest day; the rows written (checked)."""
    data = table_schema(SILVER, with_partitions=False)
    rows = lake.spark.read.schema(data).parquet(*part.files)
    read = rows.count()  # from the Parquet footers
    rows.repartition("ingest_dt").sortWithinPartitions("ingest_dt").write.mode("errorifexists").parquet(target)
    written = lake.spark.read.schema(data).parquet(target).count()
    if written != read:
        raise JobError(f"compaction of {part.spec} read {read} rows and wrote {written}: left as it was")
    return written


def sweep(lake: Lake, registered: list[Partition]) -> None:
    """Remove what an interrupted compaction left: unregistered rewritten folders, replaced default ones."""
    in_use = [p.location for p in registered]
    base = SILVER.location(lake.settings)
    for run in lake.folders(f"{base}/{COMPACTED}"):
        for year in lake.folders(run):
            for month in lake.folders(year):
                if not any(same_place(month, used) for used in in_use):
                    lake.delete(month)
    for part in registered:
        default = SILVER.partition_location(lake.settings, part.values)
        if not same_place(part.location, default) and lake.data_files(default):
            lake.delete(default)


def compact_silver(runtime: Runtime, report: RunReport) -> RunReport:
    """Rewrite every partition with more files than ingest days; the report counts files and rows."""
    lake = runtime.lake
    found = partitions(lake)
    sweep(lake, found)
    days = days_per_partition(lake)
    for part in found:
        if len(part.files) <= max(days.get((part.year, part.month), 1), 1):
            continue
        target = f"{SILVER.location(lake.settings)}/{COMPACTED}/{report.run_id}/year={part.year}/month={part.month}"
        rows = rewrite(lake, part, target)
        if lake.data_files(part.location) != part.files:  # an append arrived meanwhile: try next time
            log.warning("silver %s changed while compacting: left as it is", part.spec)
            lake.delete(target)
            continue
        lake.move(SILVER, part.values, target)
        lake.delete(part.location)
        report.input_objects += len(part.files)
        report.files_written += len(lake.data_files(target))
        report.lines_read += rows
        report.silver_rows += rows
        report.partitions.append(f"year={part.year}/month={part.month}")
    lake.refresh(SILVER)
    return report
