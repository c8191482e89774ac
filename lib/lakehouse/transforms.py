"""DataFrame transforms: pure, DataFrame in and DataFrame out, no I/O."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from lakehouse.dedup import RAW_LINE, SOURCE_OBJECT
from lakehouse.functions import ingest_dt_of, month_of, parse_timestamp, pr_merged, year_of
from lakehouse.schemas import EVENT_SCHEMA, JSON_OPTIONS
from lakehouse.tables import GOLD_DAILY, QUARANTINE, SILVER
from lakehouse.validation import CORRUPT_OBJECT, DIAGNOSE, quarantine_reason

# The columns of a classified line: every silver column, plus what quarantine and dedup need.
REASON = "reason"
# What identifies a quarantined line across attempts at the same object.
QUARANTINE_KEYS = [SOURCE_OBJECT, RAW_LINE]


def _parse_lines(lines: DataFrame, max_line_bytes: int, check_utf8: bool = True) -> DataFrame:
    """Raw bronze lines (`value`, `source_object`) to parsed rows with a quick `reason` (null: valid).

    Lines that need a closer look carry DIAGNOSE: `_diagnose` gives them their exact reason.
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
    quick = quarantine_reason(F.col(RAW_LINE), F.col("event"), created_at, max_line_bytes, check_utf8, diagnose=False)
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
        F.col("event.payload.action").alias("action"),
        pr_merged(F.col("event.type"), F.col("event.payload.pull_request.merged")).alias("pr_merged"),
        year_of(created_at).alias("year"),
        month_of(created_at).alias("month"),
        quick.alias(REASON),
    )


def parse_lines(lines: DataFrame, max_line_bytes: int) -> DataFrame:
    """`classify_lines`' first step alone: the reason is null exactly where the line is valid.

    A bad line's reason may be DIAGNOSE here, so this is for a pass that keeps the valid rows and
    only counts the bad ones: it costs no JSON diagnostics.
    """
    return _parse_lines(lines, max_line_bytes)


def _diagnose(classified: DataFrame, max_line_bytes: int) -> DataFrame:
    """Every DIAGNOSE reason replaced by the exact one, parsing again only those lines (CASE is lazy)."""
    raw = F.col(RAW_LINE)
    event = F.when(F.octet_length(raw) <= max_line_bytes, F.from_json(raw, EVENT_SCHEMA, JSON_OPTIONS))
    exact = quarantine_reason(raw, event, parse_timestamp(event["created_at"]), max_line_bytes)
    return classified.withColumn(REASON, F.when(F.col(REASON) == DIAGNOSE, exact).otherwise(F.col(REASON)))


def classify_lines(
    lines: DataFrame,
    max_line_bytes: int,
    check_utf8: bool = True,
    lean: bool = False,
    materialise: Callable[[DataFrame], DataFrame] | None = None,
) -> DataFrame:
    """Raw bronze lines (`value`, `source_object`) to parsed rows with a quarantine `reason` (null: valid).

    In two steps: a quick judgement that compiles with the parsing, then the exact reason of the few
    lines it could not judge. `lean` keeps the raw line only where quarantine needs it (a raw line is
    ten times its silver row); `materialise` (e.g. a cache) is applied between the two steps, so that
    what is kept holds no JSON diagnostics.
    """
    parsed = _parse_lines(lines, max_line_bytes, check_utf8)
    if lean:
        parsed = without_valid_raw_lines(parsed)
    if materialise is not None:
        parsed = materialise(parsed)
    return _diagnose(parsed, max_line_bytes)


def corrupt_objects(objects: DataFrame) -> DataFrame:
    """Objects (`source_object`) that could not be read whole, as one classified row each."""
    columns = [
        ingest_dt_of(F.col(SOURCE_OBJECT)).alias(name) if name == "ingest_dt" else F.lit(None).cast(type_).alias(name)
        for name, type_ in SILVER.column_types()
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
