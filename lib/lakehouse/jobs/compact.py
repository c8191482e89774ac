"""compact_silver: rewrite each silver partition that holds more files than ingest days, exactly once.

A partition is rewritten into a new folder (`_compacted/<run id>/year=Y/month=M`), checked (same
rows, and no file arrived meanwhile), then switched to in one catalog update, with the machinery of
`lakehouse.jobs.switch` (shared with rebuild and replay; its docstring says why readers never see a
mix and how a crash is swept). It must never run beside bronze_to_silver (an append to the old folder
after the check would be lost): locally the per-root lock keeps them apart, on Glue it runs as
`bronze_to_silver --mode compact`, which the job's MaxConcurrentRuns 1 with queuing serializes.
"""

from __future__ import annotations

import logging
from collections import Counter

from lakehouse.jobs.run_record import RunReport
from lakehouse.jobs.switch import COMPACTED, Located, checked, located, staging, sweep, switch, write_beside
from lakehouse.lake import Lake
from lakehouse.runtime.base import Runtime
from lakehouse.schemas import table_schema
from lakehouse.tables import SILVER, SILVER_INDEX

log = logging.getLogger(__name__)


def days_per_partition(lake: Lake) -> dict[tuple[str, str], int]:
    """How many ingest days each silver partition holds, from the silver index's partitions."""
    return Counter((p["year"], p["month"]) for p in lake.partitions(SILVER_INDEX))


def rewrite(lake: Lake, part: Located, target: str) -> int:
    """Write a partition's rows into `target`, one file per ingest day; the rows written (checked)."""
    rows = lake.spark.read.schema(table_schema(SILVER, with_partitions=False)).parquet(*part.files)
    read = rows.count()  # from the Parquet footers
    written = write_beside(lake, SILVER, rows.repartition("ingest_dt").sortWithinPartitions("ingest_dt"), target)
    checked(SILVER, part.spec, read, written)
    return written


def compact_silver(runtime: Runtime, report: RunReport) -> RunReport:
    """Rewrite every partition with more files than ingest days; the report counts files and rows."""
    lake = runtime.lake
    found = located(lake, SILVER)
    sweep(lake, SILVER, found)
    days = days_per_partition(lake)
    for part in found:
        year, month = part.values["year"], part.values["month"]
        if len(part.files) <= max(days.get((year, month), 1), 1):
            continue
        target = staging(lake, SILVER, COMPACTED, report.run_id, part.values)
        rows = rewrite(lake, part, target)
        if not switch(lake, SILVER, part, target):  # an append arrived meanwhile: try next time
            continue
        report.input_objects += len(part.files)
        report.files_written += len(lake.data_files(target))
        report.lines_read += rows
        report.silver_rows += rows
        report.partitions.append(part.name)
    lake.refresh(SILVER)
    return report
