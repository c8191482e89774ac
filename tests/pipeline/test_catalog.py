"""The catalog side of a run: tables made by an earlier version are named, not half-used; writes register."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from chispa import assert_df_equality
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from lakehouse.catalog import (
    RootMoved,
    TableMismatch,
    check_tables,
    create_table_sql,
    ensure_tables,
    partition_values,
    qualified,
)
from lakehouse.jobs.run_record import RunReport, record_run
from lakehouse.lake import Lake, writes_by_path
from lakehouse.settings import Settings
from lakehouse.tables import (
    GOLD_DAILY,
    GOLD_JOB,
    QUARANTINE,
    REPO_DAILY,
    RUNS,
    SILVER,
    SILVER_INDEX,
    SILVER_JOB,
    TABLES,
    Column,
    Table,
)
from tests.support.lake import put_object, real_lines, run

HOUR = "2015-01-01-15.first1024.json.gz"


def what_check_tables_says(spark: SparkSession, lake: Settings, earlier: Table) -> str:
    """The one line that stops a run on a lake where `earlier` was made before this version's tables."""
    spark.sql(f"CREATE DATABASE IF NOT EXISTS `{lake.database}`")
    spark.sql(create_table_sql(lake, earlier))
    ensure_tables(spark, lake)  # creates the others, leaves it as it is
    with pytest.raises(TableMismatch) as raised:
        check_tables(spark, lake)
    return str(raised.value)


def test_a_table_with_other_partition_keys_stops_the_run_with_one_line(spark: SparkSession, lake: Settings) -> None:
    earlier = replace(
        SILVER_INDEX,
        columns=(Column("year", "string"), Column("month", "string"), *SILVER_INDEX.columns),
        partition_keys=("ingest_dt",),
    )
    assert what_check_tables_says(spark, lake, earlier) == (
        f"`{lake.database}`.`github_events_silver_index` is partitioned by (ingest_dt), this version of lakehouse "
        "by (ingest_dt, year, month): it was made by an earlier version; rebuild the lake from bronze: copy its "
        "raw bucket into a new root and run the jobs there"
    )


def test_a_table_at_another_place_in_the_root_stops_the_run_with_one_line(spark: SparkSession, lake: Settings) -> None:
    earlier = replace(GOLD_DAILY, prefix="github/events_daily_counts")
    assert what_check_tables_says(spark, lake, earlier) == (
        f"`{lake.database}`.`github_events_gold_daily` lies at {earlier.location(lake)}, this version of lakehouse "
        f"keeps it at {GOLD_DAILY.location(lake)}: it was made by an earlier version; rebuild the lake from bronze: "
        "copy its raw bucket into a new root and run the jobs there"
    )


def test_a_copied_or_moved_root_stops_the_run_with_one_line(
    spark: SparkSession, lake: Settings, tmp_path: Path
) -> None:
    ensure_tables(spark, lake)
    check_tables(spark, lake)  # at its place: nothing to say
    copy = Settings.local(tmp_path / "copy", env=lake.env)  # the same metastore, another root
    with pytest.raises(RootMoved) as raised:
        check_tables(spark, copy)
    assert str(raised.value) == (
        f"{copy.root} is a copy of the lake at {lake.root}, or was moved from there: its metastore keeps that "
        f"lake's tables. Run lakehouse with --root {lake.root}, or rebuild the lake from bronze: copy its raw "
        "bucket into a new root and run the jobs there"
    )


def test_lake_appends_or_replaces_only_the_partitions_written_and_registers_them(
    spark: SparkSession, lake: Settings
) -> None:
    ensure_tables(spark, lake)
    schema = "event_type string, repo_name string, events_count bigint, ingest_dt string"
    day1, day2, day2_more = (
        ("PushEvent", "a/b", 2, "2015-01-01"),
        ("PushEvent", "a/b", 5, "2015-01-02"),
        ("WatchEvent", "c/d", 1, "2015-01-02"),
    )
    day2_recount, day3 = ("PushEvent", "a/b", 7, "2015-01-02"), ("ForkEvent", "e/f", 1, "2015-01-03")

    def write(rows: list[tuple[str, str, int, str]], overwrite: bool = False) -> None:
        days = [{"ingest_dt": row[3]} for row in rows]
        write = Lake(spark, lake).overwrite if overwrite else Lake(spark, lake).append
        write(GOLD_DAILY, spark.createDataFrame(rows, schema), days)

    def gold() -> list[tuple[object, ...]]:
        return sorted(tuple(row) for row in spark.table(qualified(lake, GOLD_DAILY)).collect())

    write([day1, day2])
    write([day2_more])
    assert gold() == sorted([day1, day2, day2_more])
    write([day2_recount, day3], overwrite=True)
    assert gold() == sorted([day1, day2_recount, day3])
    assert partition_values(spark, lake, GOLD_DAILY) == [
        {"ingest_dt": d} for d in ("2015-01-01", "2015-01-02", "2015-01-03")
    ]


def test_each_run_record_is_read_back_at_once_in_the_same_session(spark: SparkSession, lake: Settings) -> None:
    ensure_tables(spark, lake)
    reports = [RunReport(f"run-{n}", SILVER_JOB, datetime(2015, 1, 1, n, tzinfo=UTC), silver_rows=n) for n in (1, 2)]
    writer = Lake(spark, lake)
    for n, report in enumerate(reports, start=1):
        record_run(writer, report)  # a path write: the table's cached file listing must be refreshed
        runs = writer.read(RUNS)
        assert sorted(runs.select("run_id", "silver_rows").collect()) == [(f"run-{k}", k) for k in range(1, n + 1)]


def test_a_write_by_path_gives_the_table_insert_into_gives(spark: SparkSession, tmp_path: Path) -> None:
    # GIVEN the same gold rows over two days, for two fresh lakes
    by_path, by_insert = (Settings.local(tmp_path / name, env=name) for name in ("bypath", "byinsert"))
    rows = [("PushEvent", "a/b", 2, "2015-01-01"), ("WatchEvent", "c/d", 1, "2015-01-02")]
    frame = spark.createDataFrame(rows, "event_type string, repo_name string, events_count bigint, ingest_dt string")
    for settings in (by_path, by_insert):
        ensure_tables(spark, settings)
    # WHEN one is written by the lake's rule (by path, then registered) and the other with insertInto
    assert writes_by_path(GOLD_DAILY) and not writes_by_path(SILVER)
    Lake(spark, by_path).append(GOLD_DAILY, frame, [{"ingest_dt": r[3]} for r in rows])
    frame.select(*GOLD_DAILY.column_names).write.insertInto(qualified(by_insert, GOLD_DAILY))
    # THEN the two tables hold the same rows in the same registered partitions
    assert_df_equality(Lake(spark, by_path).read(GOLD_DAILY), Lake(spark, by_insert).read(GOLD_DAILY),
                       ignore_row_order=True)
    assert partition_values(spark, by_path, GOLD_DAILY) == partition_values(spark, by_insert, GOLD_DAILY)
    # only the tables whose partitions compaction, rebuild and replay move are written with insertInto
    assert {t.name for t in TABLES if not writes_by_path(t)} == {SILVER.name, QUARANTINE.name}


def test_a_lake_made_before_the_analytics_columns_gains_them_and_keeps_its_rows(
    spark: SparkSession, lake: Settings
) -> None:
    earlier = replace(SILVER, columns=tuple(c for c in SILVER.columns if c.name not in ("action", "pr_merged")))
    spark.sql(f"CREATE DATABASE IF NOT EXISTS `{lake.database}`")
    spark.sql(create_table_sql(lake, earlier))  # the previous version's silver, with one real event of 2015-01
    old = json.loads(real_lines(HOUR, 1)[0])
    spark.sql(
        f"INSERT INTO {qualified(lake, SILVER)} PARTITION (year='2015', month='01') SELECT '{old['id']}', "
        f"'{old['type']}', DATE'2015-01-01', '{old['repo']['name']}', '{old['actor']['login']}', "
        f"TIMESTAMP'{old['created_at']}', '2015-01-01', {old['repo']['id']}, {old['actor']['id']}, NULL, true"
    )
    lines = real_lines(HOUR, 200)[1:]
    put_object(lake, "2015-01-02", "new", lines)
    run(spark, lake, SILVER_JOB)
    run(spark, lake, GOLD_JOB)
    silver = spark.table(qualified(lake, SILVER))
    assert tuple(silver.columns) == SILVER.column_names
    events = [json.loads(line) for line in lines]
    expected = [(old["id"], None)] + [(e["id"], e["payload"].get("action")) for e in events]
    assert sorted(silver.select("event_id", "action").collect(), key=str) == sorted(expected, key=str)
    stars = sum(e["type"] == "WatchEvent" for e in events)
    assert spark.table(qualified(lake, REPO_DAILY)).agg(F.sum("stars")).first()[0] == stars
