"""Transforms on small inline frames, compared whole with chispa."""

from __future__ import annotations

import datetime as dt

from chispa import assert_column_equality, assert_df_equality
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from lakehouse.dedup import first_copy_candidates, first_copy_per_event, ids_to_decide, not_in
from lakehouse.functions import ingest_dt_of, parse_timestamp
from lakehouse.tables import SILVER
from lakehouse.transforms import classify_lines, gold_daily, to_silver

OBJ = "file:///lake/local-raw/github/events/ingest_dt=2015-01-01/20150101T000000Z-a.json.gz"
OBJ2 = "file:///lake/local-raw/github/events/ingest_dt=2015-01-02/20150102T000000Z-b.json.gz"


def test_parse_timestamp_reads_zones_offsets_and_fractions_as_utc(spark: SparkSession) -> None:
    df = spark.createDataFrame(
        [
            ("2015-01-01T15:00:00Z", dt.datetime(2015, 1, 1, 15, 0, 0)),
            ("2015-02-01T00:00:00.00001Z", dt.datetime(2015, 2, 1, 0, 0, 0, 10)),
            ("2012-08-26T01:00:01-07:00", dt.datetime(2012, 8, 26, 8, 0, 1)),
            ("2012-08-26T01:00:01+0200", dt.datetime(2012, 8, 25, 23, 0, 1)),
            ("2015-01-01", None),
            ("yesterday", None),
            (None, None),
        ],
        "text string, expected timestamp",
    )
    assert_column_equality(df.withColumn("parsed", parse_timestamp(F.col("text"))), "parsed", "expected")


def test_ingest_dt_comes_from_the_object_path(spark: SparkSession) -> None:
    df = spark.createDataFrame(
        [(OBJ, "2015-01-01"), (OBJ2, "2015-01-02"), ("s3://b/x.json.gz", "")], "p string, e string"
    )
    assert_column_equality(df.withColumn("d", ingest_dt_of(F.col("p"))), "d", "e")


def test_classify_lines_builds_silver_columns_from_a_real_event(spark: SparkSession) -> None:
    line = (
        '{"id":"2489651045","type":"CreateEvent","actor":{"id":665991,"login":"petroav","gravatar_id":""},'
        '"repo":{"id":28688495,"name":"petroav/6.828"},"payload":{"ref":"master"},"public":true,'
        '"created_at":"2015-01-01T15:00:00Z","org":{"id":1,"login":"mit"}}'
    )
    lines = spark.createDataFrame([(line, OBJ)], "value string, source_object string")
    silver = to_silver(classify_lines(lines, 1 << 20))
    expected = spark.createDataFrame(
        [
            (
                "2489651045",
                "CreateEvent",
                dt.date(2015, 1, 1),
                "petroav/6.828",
                "petroav",
                dt.datetime(2015, 1, 1, 15),
                "2015-01-01",
                28688495,
                665991,
                "mit",
                True,
                None,  # action: a CreateEvent's payload has none
                None,  # pr_merged: not a pull request
                "2015",
                "01",
            )
        ],
        silver.schema,
    )
    assert_df_equality(silver, expected)


def test_first_copy_per_event_prefers_earlier_day_then_object_then_raw_line(spark: SparkSession) -> None:
    rows = spark.createDataFrame(
        [
            ("1", "2015-01-02", OBJ2, "a"),
            ("1", "2015-01-01", OBJ, "z"),
            ("2", "2015-01-01", OBJ, "b"),
            ("2", "2015-01-01", OBJ, "a"),
            ("3", "2015-01-02", OBJ2, "c"),
        ],
        "event_id string, ingest_dt string, source_object string, raw_line string",
    )
    expected = spark.createDataFrame(
        [("1", "2015-01-01", OBJ, "z"), ("2", "2015-01-01", OBJ, "a"), ("3", "2015-01-02", OBJ2, "c")], rows.schema
    )
    assert_df_equality(first_copy_per_event(rows), expected, ignore_row_order=True)


def test_not_in_drops_rows_already_held_null_safely(spark: SparkSession) -> None:
    rows = spark.createDataFrame([(OBJ, "x"), (OBJ, None), (OBJ2, "x")], "source_object string, raw_line string")
    held = spark.createDataFrame([(OBJ, "x"), (OBJ, None)], rows.schema)
    expected = spark.createDataFrame([(OBJ2, "x")], rows.schema)
    assert_df_equality(not_in(rows, held, ["source_object", "raw_line"]), expected)


def test_gold_daily_counts_events_per_type_and_repo_per_day(spark: SparkSession) -> None:
    silver = spark.createDataFrame(
        [
            ("PushEvent", "a/b", "2015-01-01"),
            ("PushEvent", "a/b", "2015-01-01"),
            ("WatchEvent", "a/b", "2015-01-01"),
            ("PushEvent", "a/b", "2015-01-02"),
        ],
        "event_type string, repo_name string, ingest_dt string",
    )
    expected = spark.createDataFrame(
        [
            ("PushEvent", "a/b", 2, "2015-01-01"),
            ("WatchEvent", "a/b", 1, "2015-01-01"),
            ("PushEvent", "a/b", 1, "2015-01-02"),
        ],
        "event_type string, repo_name string, events_count bigint not null, ingest_dt string",
    )
    assert_df_equality(gold_daily(silver), expected, ignore_row_order=True, ignore_nullable=True)


def test_first_copy_candidates_flag_only_differing_copies_in_the_first_object(spark: SparkSession) -> None:
    rows = spark.createDataFrame(
        [
            ("1", "PushEvent", "2015-01-01", OBJ),  # one copy
            ("2", "PushEvent", "2015-01-02", OBJ2),  # an earlier day wins, whatever it holds
            ("2", "WatchEvent", "2015-01-01", OBJ),
            ("3", "PushEvent", "2015-01-01", OBJ),  # the same row twice in one object: no raw line needed
            ("3", "PushEvent", "2015-01-01", OBJ),
            ("4", "PushEvent", "2015-01-01", OBJ),  # differing copies in one object: decided by raw line
            ("4", "IssuesEvent", "2015-01-01", OBJ),
        ],
        "event_id string, event_type string, ingest_dt string, source_object string",
    )
    other = [F.lit(None).cast(c.type).alias(c.name) for c in SILVER.columns if c.name not in rows.columns]
    full = rows.select("*", *other, F.lit("2015").alias("year"), F.lit("01").alias("month"))
    actual = first_copy_candidates(full).select("event_id", "event_type", "_conflict")
    expected = spark.createDataFrame(
        [("1", "PushEvent", False), ("2", "WatchEvent", False), ("3", "PushEvent", False), ("4", "IssuesEvent", True)],
        "event_id string, event_type string, _conflict boolean",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_ids_to_decide_are_the_ids_seen_twice_in_the_batch_or_held_in_silver(spark: SparkSession) -> None:
    batch = spark.createDataFrame([("1",), ("2",), ("2",), ("3",), ("4",)], "event_id string")
    held = spark.createDataFrame([("3",), ("9",)], "event_id string")
    expected = spark.createDataFrame([("2",), ("3",)], "event_id string")
    assert_df_equality(ids_to_decide(batch, held), expected, ignore_row_order=True)
