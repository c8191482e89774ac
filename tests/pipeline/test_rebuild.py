"""rebuild_silver: silver derived again from bronze under today's code equals a fresh lake's, exactly once."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from chispa import assert_df_equality
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from lakehouse import transforms
from lakehouse.bookmarks import BookmarkOption
from lakehouse.jobs.run_record import RunReport
from lakehouse.jobs.runner import run_job
from lakehouse.jobs.scope import Scope
from lakehouse.runtime.local import LocalRuntime
from lakehouse.settings import Settings
from lakehouse.tables import GOLD_DAILY, GOLD_JOB, QUARANTINE, REBUILD_JOB, RUNS, SILVER, SILVER_INDEX, SILVER_JOB
from tests.support.expected import expected_run
from tests.support.lake import put_object, real_lines, run, table

HOUR = "2015-01-01-15.first1024.json.gz"
LATER = "2021-07-21-06to09.first200each.json.gz"
BAD = [b"{not json", b"[1,2]", b'{"id":"x","type":"PushEvent"}']


def objects() -> list[tuple[str, str, list[bytes]]]:
    """Real lines in four objects: duplicates across objects, bad lines, two ingest days in 2015/01."""
    hour, later = real_lines(HOUR), real_lines(LATER)
    return [
        ("2015-01-01", "a", hour[:400] + BAD),
        ("2015-01-01", "b", hour[300:700]),  # 100 events again
        ("2015-01-02", "c", hour[650:]),  # a late day landing in 2015/01 too, 50 events again
        ("2021-07-21", "d", later[:300] + BAD[:1]),
    ]


def hourly_lake(spark: SparkSession, lake: Settings) -> None:
    """The objects arrive one by one, a silver run after each, as the hourly workflow does."""
    for day, name, lines in objects():
        put_object(lake, day, name, lines)
        run(spark, lake, SILVER_JOB)


def one_run_lake(spark: SparkSession, lake: Settings) -> None:
    """Every object in bronze, then one silver run over all of them."""
    for day, name, lines in objects():
        put_object(lake, day, name, lines)
    run(spark, lake, SILVER_JOB)


def rebuild(spark: SparkSession, lake: Settings, scope: Scope | None = None) -> RunReport:
    return run_job(LocalRuntime.create(spark, lake, REBUILD_JOB, BookmarkOption.DISABLE), scope=scope)


def change_transform(monkeypatch: pytest.MonkeyPatch) -> None:
    """A changed transform: repo_name derived differently (upper case), for every line parsed from now on."""
    parse = transforms._parse_lines

    def upper_repo(lines: DataFrame, max_line_bytes: int, check_utf8: bool = True) -> DataFrame:
        return parse(lines, max_line_bytes, check_utf8).withColumn("repo_name", F.upper("repo_name"))

    monkeypatch.setattr(transforms, "_parse_lines", upper_repo)


@pytest.fixture(scope="module")
def fresh(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """The same bronze in a new lake, one silver run over all of it under the changed transform: what a rebuild
    under new code must equal (only read by the tests, so made once for those of a worker)."""
    folder = tmp_path_factory.mktemp("fresh")  # made again after other modules' tests: a database of its own
    lake = Settings.local(folder / "lake", env=f"rebuild-{folder.name}")
    with pytest.MonkeyPatch.context() as patch:
        change_transform(patch)
        one_run_lake(spark, lake)
    yield lake


def comparable(quarantine: DataFrame) -> DataFrame:
    """Quarantine without the time of judgement, objects named within bronze (the two lakes' roots differ)."""
    key = F.regexp_extract("source_object", r"(ingest_dt=[^/]+/[^/]+)$", 1)
    return quarantine.drop("quarantined_at").withColumn("source_object", key)


def recount(silver: DataFrame) -> DataFrame:
    """Gold worked out from silver here, not by the gold job."""
    counted = silver.groupBy("event_type", "repo_name", "ingest_dt").agg(F.count(F.lit(1)).alias("events_count"))
    return counted.select("event_type", "repo_name", "events_count", "ingest_dt")


def test_rebuild_under_new_code_equals_a_fresh_lake_and_gold_a_recount(
    spark: SparkSession, lake: Settings, fresh: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    hourly_lake(spark, lake)
    run(spark, lake, GOLD_JOB)
    change_transform(monkeypatch)
    report = rebuild(spark, lake)
    assert_df_equality(table(spark, lake, SILVER), table(spark, fresh, SILVER), ignore_row_order=True)
    assert_df_equality(comparable(table(spark, lake, QUARANTINE)), comparable(table(spark, fresh, QUARANTINE)),
                       ignore_row_order=True)
    lines = [line for _, _, object_lines in objects() for line in object_lines]
    assert (report.lines_read, report.quarantined) == (len(lines), expected_run(lines).quarantined)
    assert report.partitions[:2] == ["year=2015/month=01", "year=2021/month=07"]
    run(spark, lake, GOLD_JOB)
    assert_df_equality(table(spark, lake, GOLD_DAILY), recount(table(spark, lake, SILVER)), ignore_row_order=True,
                       ignore_nullable=True)
    runs = table(spark, lake, RUNS)
    balanced = F.col("lines_read") == F.col("silver_rows") + F.col("quarantined") + F.col("duplicates")
    assert runs.where(~balanced).count() == 0
    assert runs.where(F.col("job") == REBUILD_JOB).select("run_id").collect() == [(report.run_id,)]
    assert {r["ingest_dt"] for r in table(spark, lake, SILVER_INDEX).where(F.col("run_id") == report.run_id)
            .select("ingest_dt").collect()} == {"2015-01-01", "2015-01-02", "2021-07-21"}



def upper_repos(silver: DataFrame) -> set[tuple[str, str]]:
    """(year, month) of the partitions whose repo names are all upper case (the changed transform's mark)."""
    lower = F.max((F.col("repo_name") != F.upper("repo_name")).cast("int"))
    marked = silver.groupBy("year", "month").agg(lower.alias("lower")).where(F.col("lower") == 0)
    return {(r["year"], r["month"]) for r in marked.collect()}


def test_new_bronze_between_rebuilds_of_other_days_loses_nothing(
    spark: SparkSession, lake: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    one_run_lake(spark, lake)  # how silver was first made is the first test's point; here, what comes after
    change_transform(monkeypatch)
    first = rebuild(spark, lake, Scope.of("2021-07-21"))
    assert first.partitions == ["year=2021/month=07", "github_events_quarantine/ingest_dt=2021-07-21"]
    assert upper_repos(table(spark, lake, SILVER)) == {("2021", "07")}
    newer = real_lines("2025-01-01-15.first2048.json.gz", 500)
    put_object(lake, "2025-01-01", "e", newer)
    run(spark, lake, SILVER_JOB)
    second = rebuild(spark, lake, Scope.of("2015-01-01", "2015-01-02"))
    assert second.partitions[0] == "year=2015/month=01"
    run(spark, lake, SILVER_JOB)
    lines = [line for _, _, object_lines in objects() for line in object_lines] + newer
    want = expected_run(lines)
    silver = table(spark, lake, SILVER)
    assert sorted(r["event_id"] for r in silver.select("event_id").collect()) == sorted(want.ids)
    assert upper_repos(silver) == {("2015", "01"), ("2021", "07"), ("2025", "01")}
    runs = table(spark, lake, RUNS)
    balanced = F.col("lines_read") == F.col("silver_rows") + F.col("quarantined") + F.col("duplicates")
    assert runs.where(~balanced).count() == 0


class Killed(BaseException):
    """The process dies here: no clean-up of ours runs."""


def die(*args: object, **kwargs: object) -> None:
    raise Killed


@pytest.mark.parametrize("crash_at", ["write", "switch", "delete", "index"])
def test_a_crash_at_any_step_leaves_whole_partitions_and_a_rerun_converges(
    crash_at: str, spark: SparkSession, lake: Settings, fresh: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lake to rebuild is made by one silver run (the hourly way of making it is the first test's)."""
    from lakehouse.jobs import rebuild as rebuild_module
    from lakehouse.jobs import switch as switch_module
    from lakehouse.lake import Lake

    one_run_lake(spark, lake)
    before = sorted(r["event_id"] for r in table(spark, lake, SILVER).select("event_id").collect())
    change_transform(monkeypatch)
    points = {
        "write": (switch_module, "checked"),  # the first partition written beside, not switched
        "switch": (Lake, "delete"),  # the first partition switched, its old folder still there
        "index": (rebuild_module, "write_silver_index"),  # every partition switched, the index not written
    }
    with monkeypatch.context() as patched:
        if crash_at == "delete":  # the second partition switched, the first one's old folder removed
            calls = iter(range(10))
            patched.setattr(Lake, "delete", lambda self, location: die() if next(calls) == 1 else None)
        else:
            patched.setattr(*points[crash_at], die)
        with pytest.raises(Killed):
            rebuild(spark, lake)
    spark.catalog.refreshTable(f"`{lake.database}`.`{SILVER.name}`")
    silver = table(spark, lake, SILVER)
    assert sorted(r["event_id"] for r in silver.select("event_id").collect()) == before
    rebuild(spark, lake)
    assert_df_equality(table(spark, lake, SILVER), table(spark, fresh, SILVER), ignore_row_order=True)
    assert_df_equality(comparable(table(spark, lake, QUARANTINE)), comparable(table(spark, fresh, QUARANTINE)),
                       ignore_row_order=True)
    leftovers = [p for p in (Path(SILVER.location(lake)) / "_rebuilt").glob("*/*/*") if p.is_dir()]
    assert len(leftovers) == 2  # the rerun's two partitions only: the crashed attempt's folders were swept


def test_a_corrupt_object_of_a_rebuilt_day_stays_one_corrupt_object_row(spark: SparkSession, lake: Settings) -> None:
    lines = real_lines(HOUR)
    put_object(lake, "2015-01-01", "a", lines[:200])
    whole = gzip.compress(b"".join(line + b"\n" for line in lines[200:400]))
    truncated = put_object(lake, "2015-01-01", "b", [], raw=whole[: len(whole) // 2])
    run(spark, lake, SILVER_JOB)
    report = rebuild(spark, lake)
    want = expected_run(lines[:200])
    assert (report.lines_read, report.silver_rows, report.quarantined, report.duplicates) == (
        want.lines_read + 1, want.silver_rows, 1, 0
    )
    assert table(spark, lake, QUARANTINE).select("raw_line", "source_object", "reason").collect() == [
        (None, f"file://{truncated}", "corrupt_object")
    ]
    assert sorted(r["event_id"] for r in table(spark, lake, SILVER).select("event_id").collect()) == sorted(want.ids)


def test_a_stricter_rule_moves_lines_to_a_new_quarantine_partition_as_a_fresh_lake_would(
    spark: SparkSession, lake: Settings, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    put_object(lake, "2015-01-01", "a", real_lines(HOUR, 300))  # every line valid: no quarantine partition
    run(spark, lake, SILVER_JOB)
    judge = transforms.quarantine_reason

    def strict(value: Column, event: Column, *args: object, **kwargs: object) -> Column:
        return F.when(event["type"] == "PushEvent", F.lit("test:push_event")).otherwise(judge(value, event, *args,
                                                                                          **kwargs))

    monkeypatch.setattr(transforms, "quarantine_reason", strict)
    fresh = Settings.local(tmp_path_factory.mktemp("fresh") / "lake", env=f"{lake.env}f")
    put_object(fresh, "2015-01-01", "a", real_lines(HOUR, 300))
    run(spark, fresh, SILVER_JOB)
    report = rebuild(spark, lake)
    pushes = [line for line in real_lines(HOUR, 300) if json.loads(line)["type"] == "PushEvent"]
    assert (report.quarantined, report.quarantined_by_reason) == (len(pushes), {"test:push_event": len(pushes)})
    assert_df_equality(table(spark, lake, SILVER), table(spark, fresh, SILVER), ignore_row_order=True)
    assert_df_equality(comparable(table(spark, lake, QUARANTINE)), comparable(table(spark, fresh, QUARANTINE)),
                       ignore_row_order=True)
