"""compact_silver: the same rows in fewer files, exactly once, whatever point a crash stops it at."""

from __future__ import annotations

from pathlib import Path

import pytest
from chispa import assert_df_equality
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from lakehouse.lake import Lake
from lakehouse.settings import Settings
from lakehouse.tables import COMPACT_JOB, GOLD_DAILY, GOLD_JOB, SILVER, SILVER_JOB
from tests.support.expected import expected_run
from tests.support.lake import put_object, real_lines, run, table

HOUR = "2015-01-01-15.first1024.json.gz"


def hourly_runs(spark: SparkSession, lake: Settings, runs: int = 4) -> None:
    """One silver run per object, as the hourly workflow does: one small file per run and partition."""
    lines = real_lines(HOUR)
    for n in range(runs):
        put_object(lake, "2015-01-01", f"h{n}", lines[n * 200 : (n + 1) * 200])
        run(spark, lake, SILVER_JOB)


def silver_files(lake: Settings) -> list[Path]:
    """Every Parquet file under silver's folder, live or left over."""
    return sorted(Path(SILVER.location(lake)).rglob("*.parquet"))


def snapshot(spark: SparkSession, lake: Settings) -> DataFrame:
    return spark.createDataFrame(table(spark, lake, SILVER).collect(), table(spark, lake, SILVER).schema)


def test_compaction_keeps_every_row_once_in_fewer_files(spark: SparkSession, lake: Settings) -> None:
    hourly_runs(spark, lake)
    before = snapshot(spark, lake)
    report = run(spark, lake, COMPACT_JOB)
    rows = expected_run(real_lines(HOUR)[:800]).silver_rows  # 800
    assert (report.input_objects, report.files_written, report.silver_rows) == (4, 1, rows)
    assert_df_equality(table(spark, lake, SILVER), before, ignore_row_order=True)
    assert len(silver_files(lake)) == 1
    put_object(lake, "2015-01-01", "later", real_lines(HOUR)[800:])  # appends land in the new folder
    run(spark, lake, SILVER_JOB)
    run(spark, lake, GOLD_JOB)
    events = expected_run(real_lines(HOUR)).silver_rows  # 1,024
    silver = table(spark, lake, SILVER)
    assert silver.count() == silver.select("event_id").distinct().count() == events
    assert table(spark, lake, GOLD_DAILY).agg(F.sum("events_count")).first()[0] == events


def test_nothing_to_compact_rewrites_nothing(spark: SparkSession, lake: Settings) -> None:
    hourly_runs(spark, lake, runs=1)
    report = run(spark, lake, COMPACT_JOB)
    assert (report.input_objects, report.files_written, report.partitions) == (0, 0, [])


class Killed(BaseException):
    """The process dies here: no clean-up of ours runs."""


def die(*args: object, **kwargs: object) -> None:
    raise Killed


@pytest.mark.parametrize("crash_at", ["switch", "delete"])
def test_a_crash_midway_leaves_silver_whole_and_a_rerun_finishes(
    crash_at: str, spark: SparkSession, lake: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    hourly_runs(spark, lake, runs=2)  # two small files of one day: a partition to compact
    before = snapshot(spark, lake)
    with monkeypatch.context() as patched:
        if crash_at == "switch":  # the rewritten folder exists, the catalog still points at the old one
            patched.setattr(Lake, "move", die)
        else:  # the catalog points at the new folder, the old one is still there
            patched.setattr(Lake, "delete", die)
        with pytest.raises(Killed):
            run(spark, lake, COMPACT_JOB)
    spark.catalog.refreshTable(f"`{lake.database}`.`{SILVER.name}`")
    assert_df_equality(table(spark, lake, SILVER), before, ignore_row_order=True)
    run(spark, lake, COMPACT_JOB)
    assert_df_equality(table(spark, lake, SILVER), before, ignore_row_order=True)
    assert len(silver_files(lake)) == 1
