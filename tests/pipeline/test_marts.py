"""The gold marts on real GH Archive data spread over several ingest days, a late object included.

Each mart equals a recount with the json module over the same bronze lines, and a lake built object by
object (silver and gold after each) equals one built in a single run.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from chispa import assert_df_equality
from pyspark.sql import DataFrame, SparkSession

from lakehouse.catalog import partition_values
from lakehouse.marts import TRENDING_TOP
from lakehouse.schemas import table_schema
from lakehouse.settings import Settings
from lakehouse.tables import (
    ACTIVITY_HOURLY,
    GOLD_JOB,
    GOLD_TABLES,
    REPO_DAILY,
    SILVER,
    SILVER_JOB,
    TRENDING_DAILY,
    Table,
)
from tests.support.lake import put_object, real_lines, run, table
from tests.support.marts_recount import activity_hourly_rows, repo_daily_rows, silver_events, trending_rows

HOUR = real_lines("2015-01-01-0.json.gz")
FIFTH = len(HOUR) // 5
LATE_DAY = "2015-01-05"
# (ingest day, lines) in arrival order. The last object arrives late, for an early day, after later days:
# a fifth of the same hour, so that the repositories it stars trend on the later days too.
OBJECTS = [
    ("2015-01-01", HOUR[:FIFTH]),
    (LATE_DAY, HOUR[FIFTH : 2 * FIFTH]),
    ("2015-01-12", HOUR[2 * FIFTH : 3 * FIFTH]),
    ("2015-01-20", real_lines("2025-01-01-15.first2048.json.gz")),
    ("2015-02-02", HOUR[3 * FIFTH : 4 * FIFTH]),  # 28 days after LATE_DAY: its previous 28-day period covers it
    ("2015-02-20", real_lines("2015-01-01-15.first1024.json.gz")),  # 46 days after: the same
    ("2015-03-10", real_lines("2021-07-21-06to09.first200each.json.gz")),  # 64 days after: not covered
    (LATE_DAY, HOUR[4 * FIFTH :]),
]


def _put_all(lake: Settings, objects: list[tuple[str, list[bytes]]]) -> None:
    for n, (day, lines) in enumerate(objects):
        put_object(lake, day, f"o{n}", lines)


@pytest.fixture(scope="module")
def lakes(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, Settings]]:
    """The same objects, one lake run object by object, the other in one run."""
    by_object = Settings.local(tmp_path_factory.mktemp("by-object"), env="marts-by-object")
    for n, (day, lines) in enumerate(OBJECTS):
        put_object(by_object, day, f"o{n}", lines)
        run(spark, by_object, SILVER_JOB)
        run(spark, by_object, GOLD_JOB)
    at_once = Settings.local(tmp_path_factory.mktemp("at-once"), env="marts-at-once")
    _put_all(at_once, OBJECTS)
    run(spark, at_once, SILVER_JOB)
    run(spark, at_once, GOLD_JOB)
    yield by_object, at_once


def _expected(spark: SparkSession, t: Table, rows: list[tuple[object, ...]]) -> DataFrame:
    return spark.createDataFrame(rows, table_schema(t))


@pytest.mark.parametrize(
    ("mart", "recount"),
    [(REPO_DAILY, repo_daily_rows), (ACTIVITY_HOURLY, activity_hourly_rows), (TRENDING_DAILY, trending_rows)],
    ids=lambda v: getattr(v, "name", ""),
)
def test_each_mart_equals_a_recount_from_the_bronze_lines(
    spark: SparkSession, lakes: tuple[Settings, Settings], mart: Table, recount: object
) -> None:
    expected = recount(silver_events(OBJECTS))  # type: ignore[operator]
    for lake in lakes:
        assert_df_equality(table(spark, lake, mart), _expected(spark, mart, expected), ignore_row_order=True)


def test_object_by_object_equals_all_at_once_in_every_gold_table(
    spark: SparkSession, lakes: tuple[Settings, Settings]
) -> None:
    by_object, at_once = lakes
    for t in (SILVER, *GOLD_TABLES):
        assert_df_equality(table(spark, by_object, t), table(spark, at_once, t), ignore_row_order=True)


def test_the_late_object_changes_trending_beyond_the_28_day_window_and_the_top_is_cut() -> None:
    events = silver_events(OBJECTS)
    with_late, without = trending_rows(events), trending_rows(silver_events(OBJECTS[:-1]))
    changed = {row[-1] for row in set(with_late) ^ set(without)}
    assert {"2015-02-02", "2015-02-20"} <= changed  # days the job must recompute though D-27..D misses LATE_DAY
    assert "2015-03-10" not in changed
    starred = {e["repo"]["name"] for day, e in events if day <= LATE_DAY and e["type"] == "WatchEvent"}
    assert len(starred) > TRENDING_TOP  # more starred repositories than the top: the cut is exercised
    assert len([row for row in with_late if row[-1] == LATE_DAY]) == TRENDING_TOP


def test_every_gold_table_is_registered_for_every_ingest_day(
    lakes: tuple[Settings, Settings], spark: SparkSession
) -> None:
    days = sorted({day for day, _ in OBJECTS})
    for lake in lakes:
        for t in GOLD_TABLES:
            assert sorted(p["ingest_dt"] for p in partition_values(spark, lake, t)) == days, t.name
