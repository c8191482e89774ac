"""rebuild_silver: derive whole silver partitions, and the quarantine of their days, again from bronze.

The unit is a silver partition (year/month). The silver index says which ingest days landed in it;
every bronze object of those days is read whole (not bookmarked), judged by today's code and deduped
by the rule of `lakehouse.dedup` over all of them (first copy by ingest_dt, object name, raw line), so
a rebuilt partition equals a fresh lake's from the same bronze. That relies on the assumption the
append path makes too: every copy of an event id falls in one month, so every copy of an event in a
rebuilt partition is in the days read. Each partition is written beside the old one and switched in
one catalog update (`lakehouse.jobs.switch`), then the quarantine partitions of the days read. Rows of
those days that fall in partitions not rebuilt are appended through the usual silver dedup (so a line
that today's code finds valid is never lost) and otherwise counted as duplicates: lines_read =
silver_rows + quarantined + duplicates. The silver index records the run for every partition the days
touch, so the next gold run recomputes exactly those days. A crash at any point leaves whole
partitions (old or new); the rerun sweeps the leftovers and rebuilds again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from pyspark import StorageLevel
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from lakehouse.dedup import first_copy_per_event, new_silver_rows
from lakehouse.functions import in_months
from lakehouse.jobs.profile import BatchProfile
from lakehouse.jobs.run_record import RunReport
from lakehouse.jobs.scope import Scope
from lakehouse.jobs.silver import append_silver, read_whole_or_quarantine, write_silver_index
from lakehouse.jobs.switch import Located, located, rewrite_partitions, sweep
from lakehouse.lake import Lake
from lakehouse.runtime.base import Runtime
from lakehouse.tables import BRONZE, QUARANTINE, SILVER, SILVER_INDEX
from lakehouse.transforms import classify_lines, corrupt_objects, quarantine_rows, valid_rows

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RebuildPlan:
    """The silver partitions to derive again, and the ingest days that landed in each."""

    partitions: tuple[Located, ...]
    days: dict[str, tuple[str, ...]]  # partition name (year=Y/month=M) -> its ingest days

    @property
    def all_days(self) -> list[str]:
        return sorted({day for days in self.days.values() for day in days})

    @property
    def months(self) -> set[tuple[str, str]]:
        return {(p.values["year"], p.values["month"]) for p in self.partitions}


def plan_rebuild(lake: Lake, registered: list[Located], scope: Scope) -> RebuildPlan:
    """The partitions holding rows of an ingest day in the scope (from the index's partitions, no file read)."""
    index = lake.partitions(SILVER_INDEX)
    days: dict[str, set[str]] = {}
    for p in index:
        days.setdefault(f"year={p['year']}/month={p['month']}", set()).add(p["ingest_dt"])
    chosen = tuple(p for p in registered if any(scope.covers(d) for d in days.get(p.name, ())))
    return RebuildPlan(chosen, {p.name: tuple(sorted(days[p.name])) for p in chosen})


def dry_run(runtime: Runtime, scope: Scope) -> dict[str, object]:
    """What a rebuild would read, per partition: its ingest days and their bronze objects; no data read."""
    plan = plan_rebuild(runtime.lake, located(runtime.lake, SILVER), scope)
    return {
        "partitions": [
            {"partition": name, "ingest_days": list(days), "bronze_objects": runtime.bronze_of_days(days)}
            for name, days in plan.days.items()
        ]
    }


def read_days(runtime: Runtime, days: list[str]) -> tuple[DataFrame, BatchProfile]:
    """Every line of the days' bronze, judged and cached with its raw line; unreadable objects quarantined."""
    return read_whole_or_quarantine(lambda corrupt: _judged(runtime, days, corrupt),
                                    lambda: runtime.find_unreadable_of_days(days))


def _judged(runtime: Runtime, days: list[str], corrupt: tuple[str, ...]) -> tuple[DataFrame, BatchProfile]:
    bronze = runtime.read_bronze_of_days(days, skip=corrupt)
    if bronze is None:
        bronze = runtime.spark.createDataFrame([], "value string, source_object string")
    classified = classify_lines(bronze, runtime.settings.max_line_bytes)
    if corrupt:
        objects = runtime.spark.createDataFrame([(o,) for o in corrupt], "source_object string")
        classified = classified.unionByName(corrupt_objects(objects))
    classified = classified.persist(StorageLevel.MEMORY_AND_DISK)
    try:
        return classified, BatchProfile.of(classified)
    except BaseException:
        classified.unpersist()
        raise


def rebuild_quarantine(lake: Lake, classified: DataFrame, profile: BatchProfile, days: list[str],
                       report: RunReport) -> None:
    """Every quarantine partition of the days read, derived again; a day new to quarantine is appended."""
    bad = quarantine_rows(classified, report.started_at)  # from the cache: a filter per partition
    held = located(lake, QUARANTINE)
    rewritten = [p for p in held if p.values["ingest_dt"] in days]

    def of_day(values: dict[str, str]) -> DataFrame:
        return bad.where(F.col("ingest_dt") == values["ingest_dt"]).coalesce(1)  # quarantine is small: one file

    rewrite_partitions(lake, QUARANTINE, rewritten, of_day, report.run_id)
    new_days = sorted(profile.quarantine_days - {p.values["ingest_dt"] for p in rewritten})
    if new_days:
        lake.append(QUARANTINE, bad.where(F.col("ingest_dt").isin(new_days)).repartition("ingest_dt"))
    report.partitions += [f"{QUARANTINE.name}/{p.name}" for p in rewritten]


def append_outside(lake: Lake, valid: DataFrame, profile: BatchProfile, plan: RebuildPlan) -> int:
    """Valid rows of the days read that fall in partitions not rebuilt: only events silver lacks are added."""
    others = {m for m in profile.months if m not in plan.months}
    if not others:
        return 0
    outside = valid.where(in_months(others))
    held = lake.read(SILVER, in_months(others)).select("event_id")
    return append_silver(lake, new_silver_rows(outside, held))


def rebuild_silver(runtime: Runtime, report: RunReport, scope: Scope) -> RunReport:
    """Derive the scope's silver partitions and their days' quarantine again; invariant 1 holds for the run."""
    lake = runtime.lake
    registered = located(lake, SILVER)
    sweep(lake, SILVER, registered)
    sweep(lake, QUARANTINE, located(lake, QUARANTINE))
    plan = plan_rebuild(lake, registered, scope)
    if not plan.partitions:
        log.info("rebuild_silver: no silver partition holds rows of those ingest days")
        return report
    days = plan.all_days
    log.info("rebuild_silver: %d partition(s) from %d ingest day(s) of bronze", len(plan.partitions), len(days))
    classified, profile = read_days(runtime, days)
    try:
        profile.counted(report)
        report.days = days
        lake.register(BRONZE, ({"ingest_dt": day} for day in days))
        valid = valid_rows(classified)
        report.silver_rows = rebuild_partitions(lake, valid, plan, report.run_id)
        report.partitions = [p.name for p in plan.partitions]
        rebuild_quarantine(lake, classified, profile, days, report)
        report.silver_rows += append_outside(lake, valid, profile, plan)
        write_silver_index(lake, profile, report.run_id)
        report.duplicates = report.lines_read - report.quarantined - report.silver_rows
    finally:
        classified.unpersist()
    return report


def rebuild_partitions(lake: Lake, valid: DataFrame, plan: RebuildPlan, run_id: str) -> int:
    """The first copy of every event of the days read (cached once), partition by partition."""
    events = first_copy_per_event(valid.where(in_months(plan.months))).select(*SILVER.column_names)
    events = events.persist(StorageLevel.MEMORY_AND_DISK)
    try:
        def in_partition(values: dict[str, str]) -> DataFrame:
            rows = events.where(in_months([(values["year"], values["month"])]))
            return rows.repartition("ingest_dt").sortWithinPartitions("ingest_dt")  # a file per ingest day

        return rewrite_partitions(lake, SILVER, list(plan.partitions), in_partition, run_id)
    finally:
        events.unpersist()
