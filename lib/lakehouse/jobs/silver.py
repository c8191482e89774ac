"""bronze_to_silver: new bronze lines to silver rows, quarantine and the silver index, exactly once.

One pass over the new lines: each is parsed and judged, and the valid rows are written straight into
silver's staged folder in silver's own file form, while an `Observation` counts the lines, names
the objects that held bad ones and bounds the valid rows' event ids. What is left is decided from the
staged files' narrow `event_id` column: when no id is repeated or already held (the usual run), the
staged files are moved into silver as they are; otherwise the staged rows are appended through
silver's dedup (`lakehouse.dedup`).
Only the objects that held bad lines are read again, to quarantine those lines with their reasons.
"""

from __future__ import annotations

import functools
import json
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from py4j.protocol import Py4JError
from pyspark import StorageLevel
from pyspark.errors import PySparkException
from pyspark.sql import DataFrame, Observation
from pyspark.sql import functions as F

from lakehouse.dedup import SilverAppend, ids_to_decide, not_in
from lakehouse.errors import JobError
from lakehouse.functions import in_months
from lakehouse.jobs.profile import BatchProfile, object_names, valid_partitions
from lakehouse.jobs.run_record import RunReport
from lakehouse.lake import Lake
from lakehouse.layout import parse_key
from lakehouse.runtime.base import Runtime
from lakehouse.schemas import table_rows
from lakehouse.tables import BRONZE, QUARANTINE, SILVER, SILVER_INDEX
from lakehouse.transforms import (
    QUARANTINE_KEYS,
    REASON,
    classify_lines,
    corrupt_objects,
    parse_lines,
    quarantine_rows,
    valid_rows,
)
from lakehouse.validation import CORRUPT_OBJECT

log = logging.getLogger(__name__)

# What a failed read of bronze raises in PySpark: a Java exception through Py4J, or one PySpark converted.
READ_FAILURES = (Py4JError, PySparkException)
T = TypeVar("T")


@dataclass(frozen=True)
class Batch:
    """The new bronze lines after their one pass: valid rows staged, bad lines judged (few, cached), counts."""

    staged: str  # silver's staged folder of this run
    bronze: DataFrame  # the batch's raw lines, read again only to decide between differing copies
    bad: DataFrame | None  # the bad lines, classified exactly (a row per corrupt object too); None: none
    profile: BatchProfile

    def release(self, lake: Lake) -> None:
        if self.bad is not None:
            self.bad.unpersist()
        lake.discard_staged(SILVER)


def read_whole_or_quarantine(attempt: Callable[[tuple[str, ...]], T], find_unreadable: Callable[[], list[str]]) -> T:
    """Read objects optimistically: `attempt` with none left out, and again without the unreadable ones.

    Spark reads the objects directly. Hadoop's gzip reader fails on a truncated or corrupt stream,
    so a failed read is the signal to check the objects one by one (`find_unreadable`): the attempt
    is made again with those left out, each to become one `corrupt_object` row. Nothing is checked
    twice in the usual run, where every object is whole.
    """
    try:
        return attempt(())
    except READ_FAILURES as failure:
        corrupt = tuple(find_unreadable())
        if not corrupt:
            raise
        for name in corrupt:
            log.warning("quarantining corrupt object %s", name)
        log.debug("the read that failed: %s", failure)
        return attempt(corrupt)


def read_batch(runtime: Runtime, run_id: str) -> Batch | None:
    """Read, judge and stage every new bronze line (None when there is nothing new)."""
    return read_whole_or_quarantine(lambda corrupt: _staged(runtime, run_id, corrupt), runtime.find_unreadable)


def _staged(runtime: Runtime, run_id: str, corrupt: tuple[str, ...]) -> Batch | None:
    lake, limit = runtime.lake, runtime.settings.max_line_bytes
    lake.discard_staged(SILVER)  # what an interrupted run, or a read that failed, staged
    bronze = runtime.read_new_bronze(skip=corrupt)
    if bronze is None and not corrupt:
        return None
    lake.prepare()  # the catalog opens while Spark reads the batch
    if bronze is None:  # every new object was corrupt
        bronze = runtime.spark.createDataFrame([], "value string, source_object string")
    # Counted on the pass that stages the valid rows; the Observation also keeps the filter of valid rows
    # from being pushed into the parse (see `judged_bad_lines`).
    seen = Observation("bronze lines")
    is_bad = F.col(REASON).isNotNull()
    valid_id = F.when(~is_bad, F.col("event_id"))
    parsed = parse_lines(bronze, limit).observe(
        seen,
        F.count(F.lit(1)).alias("lines"),
        F.count_if(is_bad).alias("bad"),
        F.to_json(F.collect_set("source_object")).alias("objects"),
        F.to_json(F.collect_set(F.when(is_bad, F.col("source_object")))).alias("with_bad"),
        F.min(valid_id).alias("lo"),
        F.max(valid_id).alias("hi"),
    )
    staged = lake.stage(SILVER, valid_rows(parsed), run_id)
    counts = seen.get
    bad = judged_bad_lines(runtime, json.loads(counts["with_bad"]), corrupt)
    try:
        by_reason, bad_days = _reasons(bad)
        if sum(by_reason.values()) != counts["bad"] + len(corrupt):
            raise JobError(f"bronze changed while it was read: {counts['bad']} bad lines, then {dict(by_reason)}")
        valid = valid_partitions(lake.read_staged(SILVER, staged))
        id_range = None if counts["lo"] is None else (counts["lo"], counts["hi"])
        objects = object_names(json.loads(counts["objects"]) + list(corrupt))
        profile = BatchProfile(objects, counts["lines"] + len(corrupt), by_reason, valid, id_range, bad_days)
    except BaseException:
        if bad is not None:
            bad.unpersist()
        raise
    return Batch(staged, bronze, bad, profile)


def judged_bad_lines(runtime: Runtime, objects: list[str], corrupt: tuple[str, ...]) -> DataFrame | None:
    """The bad lines of the objects that held any, with their exact reasons, and a row per corrupt object.

    The objects are read again: the batch's only second read, and only of them. Their lines are
    judged into a cache before the bad ones are picked: a filter on the reason straight over the parse
    would be pushed into it, and Spark would parse each line once per field the reason checks (about
    ten times slower). The bad lines are cached in turn (they are few) and the judgement let go.
    """
    parts, judgements = [], []

    def cached(judged: DataFrame) -> DataFrame:
        judgements.append(judged.persist(StorageLevel.MEMORY_AND_DISK))
        return judgements[-1]

    if objects:
        lines = runtime.read_bronze_objects(objects)
        judged = classify_lines(lines, runtime.settings.max_line_bytes, lean=True, materialise=cached)
        parts.append(judged.where(F.col(REASON).isNotNull()))
    if corrupt:
        parts.append(corrupt_objects(runtime.spark.createDataFrame([(o,) for o in corrupt], "source_object string")))
    if not parts:
        return None
    bad = functools.reduce(DataFrame.unionByName, parts).persist(StorageLevel.MEMORY_AND_DISK)
    bad.count()
    for judged in judgements:
        judged.unpersist()
    return bad


def _reasons(bad: DataFrame | None) -> tuple[Counter[str], frozenset[str]]:
    """The bad lines per reason, and their ingest days."""
    groups = bad.groupBy(REASON, "ingest_dt").count().collect() if bad is not None else []
    reasons: Counter[str] = Counter()
    for g in groups:
        reasons[g[REASON]] += g["count"]
    return reasons, frozenset(g["ingest_dt"] for g in groups)


def write_quarantine(lake: Lake, batch: Batch, report: RunReport) -> None:
    """Append bad lines not already quarantined by an earlier attempt at the same objects."""
    days = sorted(batch.profile.quarantine_days)
    if not days or batch.bad is None:
        return
    held = lake.read(QUARANTINE, F.col("ingest_dt").isin(days)).select(*QUARANTINE_KEYS)
    fresh = not_in(quarantine_rows(batch.bad, report.started_at), held, QUARANTINE_KEYS)
    lake.append(QUARANTINE, fresh.repartition("ingest_dt"), ({"ingest_dt": d} for d in days))


def held_ids(lake: Lake, profile: BatchProfile) -> DataFrame:
    """Event ids already in the silver partitions this batch writes to, between its least and greatest.

    An exact bound (no id outside it can match) that Parquet's min/max statistics turn into skipped
    files, so the cost of a run stays that of its batch, not of the partition's history.
    """
    lo, hi = profile.id_range or ("", "")
    return lake.read(SILVER, in_months(profile.months)).where(F.col("event_id").between(lo, hi)).select("event_id")


def write_silver(lake: Lake, batch: Batch) -> int:
    """Add the events silver does not hold yet, first copy per event (`lakehouse.dedup`); the rows written.

    When no staged id is repeated or held, the staged files are silver's new files as they are.
    """
    profile = batch.profile
    if not profile.valid_per_partition:
        return 0
    valid = lake.read_staged(SILVER, batch.staged)
    held = held_ids(lake, profile)
    undecided = ids_to_decide(valid, held).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        if not undecided.count():  # materialised: later joins see its size (a broadcast when small)
            partitions = ({"year": year, "month": month} for year, month in sorted(profile.months))
            lake.publish(SILVER, batch.staged, partitions)
            return profile.valid
        rows = SilverAppend.of(valid, held, undecided)
        written = append_silver(lake, rows.first)
        if rows.conflicted.isEmpty():
            return written
        log.info("events with differing copies in one ingest day: deciding by object and raw line")
        # The batch's lines read again, judged and counted. The Observation also keeps the valid-row filter from
        # being pushed into the parse (see `judged_bad_lines`): without it, one 125k-event object took 36 s, not 3 s.
        seen = Observation("bronze lines read again")
        judged = classify_lines(batch.bronze, lake.settings.max_line_bytes,
                                materialise=lambda lines: lines.observe(seen, F.count("*").alias("lines")))
        written += append_silver(lake, rows.second(valid_rows(judged)))
        first, again = profile.lines - profile.by_reason[CORRUPT_OBJECT], seen.get["lines"]
        if again != first:
            raise JobError(f"bronze changed while it was read: {first} lines, then {again}")
        return written
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
    batch = read_batch(runtime, report.run_id)
    if batch is None:
        log.info("bronze_to_silver: no new bronze objects")
        return report
    try:
        profile = batch.profile
        profile.counted(report)
        report.days = sorted({parse_key(obj)[0] for obj in profile.objects})
        if report.lines_read:
            lake.register(BRONZE, ({"ingest_dt": day} for day in report.days))
            write_quarantine(lake, batch, report)
            report.silver_rows = write_silver(lake, batch)
            write_silver_index(lake, profile, report.run_id)
        report.duplicates = profile.valid - report.silver_rows
    finally:
        batch.release(lake)
    log.info("bronze_to_silver read %d lines from %d objects", report.lines_read, report.input_objects)
    return report
