"""DataFrame transforms: pure, DataFrame in and DataFrame out, no I/O."""

from __future__ import annotations

from datetime import datetime

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from lakehouse.functions import ingest_dt_of, month_of, parse_timestamp, year_of
from lakehouse.schemas import EVENT_SCHEMA, JSON_OPTIONS, table_schema
from lakehouse.tables import GOLD_DAILY, QUARANTINE, SILVER
from lakehouse.validation import CORRUPT_OBJECT, DIAGNOSE, quarantine_reason, quick_reason

# The columns of a classified line: every silver column, plus what quarantine and dedup need.
RAW_LINE = "raw_line"
SOURCE_OBJECT = "source_object"
REASON = "reason"
# What identifies a quarantined line across attempts at the same object.
QUARANTINE_KEYS = [SOURCE_OBJECT, RAW_LINE]
# Set on a first copy whose event has other copies in the same first object that differ in silver columns.
CONFLICT = "_conflict"


def parse_lines(lines: DataFrame, max_line_bytes: int, check_utf8: bool = True) -> DataFrame:
    """Raw bronze lines (`value`, `source_object`) to parsed rows with a quick `reason` (null: valid).

    Lines that need a closer look carry DIAGNOSE: `diagnose` gives them their exact reason.
    created_at is parsed once, in its own projection, and the rest derived from it. `check_utf8=False`
    skips the UTF-8 check of each line, for lines whose objects were all found to be UTF-8.
    """
    event = F.from_json(F.col("value"), EVENT_SCHEMA, JSON_OPTIONS)
    parsed = lines.select(
        F.col("value").alias(RAW_LINE),
        F.col(SOURCE_OBJECT),
        ingest_dt_of(F.col(SOURCE_OBJECT)).alias("ingest_dt"),
        F.when(F.octet_length("value") <= max_line_bytes, event).alias("event"),
    )
    timed = parsed.withColumn("created_at", parse_timestamp(F.col("event.created_at")))
    created_at = F.col("created_at")
    return timed.select(
        RAW_LINE,
        SOURCE_OBJECT,
        F.col("event.id").alias("event_id"),
        F.col("event.type").alias("event_type"),
        F.to_date(created_at).alias("event_date"),
        F.col("event.repo.name").alias("repo_name"),
        F.col("event.actor.login").alias("actor_login"),
        created_at,
        "ingest_dt",
        F.col("event.repo.id").alias("repo_id"),
        F.col("event.actor.id").alias("actor_id"),
        F.col("event.org.login").alias("org_login"),
        F.col("event.public").alias("is_public"),
        year_of(created_at).alias("year"),
        month_of(created_at).alias("month"),
        quick_reason(F.col(RAW_LINE), F.col("event"), created_at, max_line_bytes, check_utf8).alias(REASON),
    )


def diagnose(classified: DataFrame, max_line_bytes: int) -> DataFrame:
    """Every DIAGNOSE reason replaced by the exact one, parsing again only those lines (CASE is lazy)."""
    raw = F.col(RAW_LINE)
    event = F.when(F.octet_length(raw) <= max_line_bytes, F.from_json(raw, EVENT_SCHEMA, JSON_OPTIONS))
    exact = quarantine_reason(raw, event, parse_timestamp(event["created_at"]), max_line_bytes)
    return classified.withColumn(REASON, F.when(F.col(REASON) == DIAGNOSE, exact).otherwise(F.col(REASON)))


def classify_lines(lines: DataFrame, max_line_bytes: int, check_utf8: bool = True) -> DataFrame:
    """Raw bronze lines (`value`, `source_object`) to parsed rows with a quarantine `reason` (null: valid)."""
    return diagnose(parse_lines(lines, max_line_bytes, check_utf8), max_line_bytes)


def corrupt_objects(objects: DataFrame) -> DataFrame:
    """Objects (`source_object`) that could not be read whole, as one classified row each."""
    schema = table_schema(SILVER)
    columns = [
        ingest_dt_of(F.col(SOURCE_OBJECT)).alias(name)
        if name == "ingest_dt"
        else F.lit(None).cast(schema[name].dataType).alias(name)
        for name in SILVER.column_names
    ]
    return objects.select(
        F.lit(None).cast("string").alias(RAW_LINE), SOURCE_OBJECT, *columns, F.lit(CORRUPT_OBJECT).alias(REASON)
    )


def valid_rows(classified: DataFrame) -> DataFrame:
    return classified.where(F.col(REASON).isNull())


def quarantine_rows(classified: DataFrame, quarantined_at: datetime) -> DataFrame:
    """The quarantined lines in the quarantine table's column order."""
    stamped = classified.where(F.col(REASON).isNotNull()).withColumn(
        "quarantined_at", F.lit(quarantined_at).cast("timestamp")
    )
    return stamped.select(*QUARANTINE.column_names)


def without_valid_raw_lines(classified: DataFrame) -> DataFrame:
    """Silver columns, object and reason of each line; the raw line only where quarantine needs it.

    A raw line is ten times the size of its silver row: dropping it for valid lines keeps what a run
    caches and shuffles to the size of silver.
    """
    raw_if_bad = F.when(F.col(REASON).isNotNull(), F.col(RAW_LINE)).alias(RAW_LINE)
    return classified.select(*SILVER.column_names, SOURCE_OBJECT, REASON, raw_if_bad)


def first_copy_candidates(valid: DataFrame) -> DataFrame:
    """One row per event_id from its first (ingest_dt, object), flagged `_conflict` when that is ambiguous.

    Invariant 3 breaks ties inside the first object by raw line. When every copy there has the same
    silver columns, any of them gives the row the raw-line order would, so no raw line is needed; when
    they differ (`_conflict`), the caller must decide by raw line with `first_copy_per_event`. Only the
    ids seen more than once (usually none) go through the aggregations; the others pass as they are,
    so a batch without duplicates shuffles its ids, not its rows.
    """
    repeated = valid.groupBy("event_id").count().where(F.col("count") > 1).select("event_id")
    single = valid.join(repeated, on="event_id", how="left_anti").select(
        *SILVER.column_names, F.lit(False).alias(CONFLICT)
    )
    row = F.struct(*SILVER.column_names)
    copies = valid.join(repeated, on="event_id", how="left_semi")
    per_object = copies.groupBy("event_id", "ingest_dt", SOURCE_OBJECT).agg(
        F.min(row).alias("lo"), F.max(row).alias("hi")
    )
    first = per_object.groupBy("event_id").agg(F.min(F.struct("ingest_dt", SOURCE_OBJECT, "lo", "hi")).alias("f"))
    chosen = first.select("f.lo.*", (~F.col("f.lo").eqNullSafe(F.col("f.hi"))).alias(CONFLICT))
    return single.unionByName(chosen)


def ids_to_decide(valid: DataFrame, held: DataFrame) -> DataFrame:
    """The event ids a batch cannot append as they are: seen more than once in it, or already in silver.

    `held` (ids in silver) has each id once, so an id counted twice is repeated or held.
    """
    ids = valid.select("event_id").unionByName(held.select("event_id"))
    return ids.groupBy("event_id").count().where(F.col("count") > 1).select("event_id")


def first_copy_per_event(valid: DataFrame) -> DataFrame:
    """One row per event_id: the first by (ingest_dt, object name, raw line), as DESIGN.md invariant 3 says."""
    first = Window.partitionBy("event_id").orderBy("ingest_dt", SOURCE_OBJECT, RAW_LINE)
    return valid.withColumn("_copy", F.row_number().over(first)).where(F.col("_copy") == 1).drop("_copy")


def not_in(rows: DataFrame, existing: DataFrame, keys: list[str]) -> DataFrame:
    """Rows whose keys are not in `existing` (null-safe), e.g. events already in silver."""
    condition = [rows[key].eqNullSafe(existing[key]) for key in keys]
    return rows.join(existing.select(keys).distinct(), on=condition, how="left_anti")


def to_silver(rows: DataFrame) -> DataFrame:
    """The silver table's columns, in table order (insertInto matches by position)."""
    return rows.select(*SILVER.column_names)


def gold_daily(silver: DataFrame) -> DataFrame:
    """Events per (event_type, repo_name) per ingest day, in the gold table's column order."""
    return (
        silver.groupBy("ingest_dt", "event_type", "repo_name")
        .agg(F.count(F.lit(1)).alias("events_count"))
        .select(*GOLD_DAILY.column_names)
    )
