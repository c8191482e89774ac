"""replay_quarantine: judge quarantined lines again under today's validation; move the valid ones to silver.

The raw line of each quarantined row (a `corrupt_object` row has none: it stays) is classified as if it
were new bronze, under its own object's name. Lines now valid are appended to silver through the usual
dedup (`lakehouse.dedup`: an event silver holds is a duplicate), with their silver index rows; then each
quarantine partition where a line changed (now valid, or another reason) is written beside and
switched (`lakehouse.jobs.switch`), keeping every other line and one row per line still bad, with its
current reason and the replay's time. A crash between the two steps converges: the rerun finds the
moved lines still quarantined, judges them valid again, finds their events in silver (duplicates) and
switches the partitions. lines_read (lines judged) = silver_rows + quarantined + duplicates.
"""

from __future__ import annotations

import logging

from pyspark import StorageLevel
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from lakehouse.dedup import RAW_LINE, SOURCE_OBJECT, new_silver_rows, not_in
from lakehouse.jobs.profile import BatchProfile
from lakehouse.jobs.run_record import RunReport
from lakehouse.jobs.scope import Scope
from lakehouse.jobs.silver import append_silver, held_ids, write_silver_index
from lakehouse.jobs.switch import located, rewrite_partitions, sweep
from lakehouse.lake import Lake
from lakehouse.runtime.base import Runtime
from lakehouse.tables import QUARANTINE
from lakehouse.transforms import REASON, classify_lines, quarantine_rows, valid_rows

log = logging.getLogger(__name__)


def replayed(held: DataFrame, scope: Scope) -> DataFrame:
    """The quarantine rows a replay judges again: those with a raw line (and the scope's reason)."""
    chosen = held.where(F.col(RAW_LINE).isNotNull())
    return chosen if scope.reason is None else chosen.where(F.col(REASON) == scope.reason)


def changed_days(judged: DataFrame, selected: DataFrame) -> list[str]:
    """Ingest days with a line whose judgement differs now (valid, or another reason): a small aggregate."""
    keys = [SOURCE_OBJECT, RAW_LINE, REASON]
    differ = not_in(judged.select(*keys, "ingest_dt"), selected, keys)
    return sorted(row["ingest_dt"] for row in differ.select("ingest_dt").distinct().collect())


def rewrite_quarantine(lake: Lake, held: DataFrame, selected: DataFrame, judged: DataFrame, days: list[str],
                       report: RunReport) -> None:
    """Each changed day's partition: its lines not replayed, and the replayed ones still bad, once each."""
    kept = not_in(held, selected.select(SOURCE_OBJECT, RAW_LINE, REASON), [SOURCE_OBJECT, RAW_LINE, REASON])
    rows = kept.select(*QUARANTINE.column_names).unionByName(quarantine_rows(judged, report.started_at))
    rows = rows.where(F.col("ingest_dt").isin(days)).persist(StorageLevel.MEMORY_AND_DISK)
    rows.count()  # held before any partition is switched and its old files removed
    parts = [p for p in located(lake, QUARANTINE) if p.values["ingest_dt"] in days]

    def of_day(values: dict[str, str]) -> DataFrame:
        return rows.where(F.col("ingest_dt") == values["ingest_dt"]).coalesce(1)  # quarantine is small: one file

    try:
        rewrite_partitions(lake, QUARANTINE, parts, of_day, report.run_id)
    finally:
        rows.unpersist()
    report.partitions = [p.name for p in parts]


def replay_quarantine(runtime: Runtime, report: RunReport, scope: Scope) -> RunReport:
    """Move the quarantined lines that are valid now to silver, exactly once; re-reason the rest."""
    lake = runtime.lake
    registered = located(lake, QUARANTINE)
    sweep(lake, QUARANTINE, registered)
    days = sorted(p.values["ingest_dt"] for p in registered if scope.covers(p.values["ingest_dt"]))
    if not days:
        log.info("replay_quarantine: no quarantine partition in those ingest days")
        return report
    held = lake.read(QUARANTINE, F.col("ingest_dt").isin(days))
    selected = replayed(held, scope).persist(StorageLevel.MEMORY_AND_DISK)
    lines = selected.select(F.col(RAW_LINE).alias("value"), SOURCE_OBJECT)
    judged = classify_lines(lines, runtime.settings.max_line_bytes).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        profile = BatchProfile.of(judged)
        profile.counted(report)
        report.days = days
        if profile.valid_per_partition:
            valid = valid_rows(judged)
            report.silver_rows = append_silver(lake, new_silver_rows(valid, held_ids(lake, profile)))
            write_silver_index(lake, profile, report.run_id)
        changed = changed_days(judged, selected)
        if changed:
            rewrite_quarantine(lake, held, selected, judged, changed, report)
        report.duplicates = report.lines_read - report.quarantined - report.silver_rows
    finally:
        judged.unpersist()
        selected.unpersist()
    return report
