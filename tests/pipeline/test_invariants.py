"""DESIGN.md's six invariants, each proven on real GH Archive lines."""

from __future__ import annotations

import gzip
import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from chispa import assert_df_equality
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from lakehouse.bookmarks import BookmarkOption
from lakehouse.catalog import partition_values
from lakehouse.jobs.runner import run_job
from lakehouse.lake import Lake
from lakehouse.runtime.local import LocalRuntime
from lakehouse.schemas import table_rows
from lakehouse.settings import Settings
from lakehouse.tables import BRONZE, GOLD_DAILY, GOLD_JOB, QUARANTINE, RUNS, SILVER, SILVER_INDEX, SILVER_JOB
from tests.support.expected import expected_run
from tests.support.lake import CrashBeforeCommit, put_object, real_lines, run, table

HOUR = "2015-01-01-15.first1024.json.gz"
LATER = "2021-07-21-06to09.first200each.json.gz"
BAD = [b"{not json", b"[1,2]", b'{"id":"x","type":"PushEvent"}', b'\xff\xfe{"id": "1"}']


def test_1_nothing_lost_every_line_is_silver_quarantine_or_duplicate(spark: SparkSession, lake: Settings) -> None:
    lines = real_lines(HOUR)
    put_object(lake, "2015-01-01", "a", lines[:600] + BAD)
    put_object(lake, "2015-01-01", "b", lines[500:])  # 100 events again
    report = run(spark, lake, SILVER_JOB)
    want = expected_run(lines[:600] + BAD + lines[500:])  # 1,128 lines: 1,024 events, 4 bad lines, 100 duplicates
    assert (report.lines_read, report.silver_rows, report.quarantined, report.duplicates) == want.counts
    assert report.quarantined_by_reason == {"malformed_json": 2, "missing:created_at": 1, "not_an_object": 1}
    runs = table(spark, lake, RUNS)
    assert (
        runs.where(F.col("lines_read") != F.col("silver_rows") + F.col("quarantined") + F.col("duplicates")).count()
        == 0
    )
    assert runs.select("job", "input_objects", "lines_read", "silver_rows", "quarantined", "duplicates").collect() == [
        (SILVER_JOB, 2, *want.counts)
    ]


def test_2_exactly_once_after_a_crash_between_writes_and_bookmark(spark: SparkSession, lake: Settings) -> None:
    lines = real_lines(HOUR, 300)
    put_object(lake, "2015-01-01", "a", lines + BAD)
    with pytest.raises(SystemExit):
        run_job(CrashBeforeCommit(LocalRuntime.create(spark, lake, SILVER_JOB, BookmarkOption.ENABLE)))
    rerun = run(spark, lake, SILVER_JOB)
    crashed = expected_run(lines + BAD)  # 300 events and 4 bad lines, written before the crash
    again = expected_run(lines + BAD, held=crashed.ids)  # all 300 are duplicates now
    assert (rerun.lines_read, rerun.silver_rows, rerun.quarantined, rerun.duplicates) == again.counts
    silver = table(spark, lake, SILVER)
    assert silver.count() == silver.select("event_id").distinct().count() == crashed.silver_rows
    assert table(spark, lake, QUARANTINE).count() == crashed.quarantined


def test_2_a_run_killed_while_its_staged_files_move_into_silver_converges_on_rerun(
    spark: SparkSession, lake: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN real events of two months in one object (two silver partitions: two staged files) and bad lines
    lines = real_lines(HOUR, 200) + real_lines(LATER, 200)
    put_object(lake, "2021-07-21", "a", lines + BAD)
    # WHEN the run dies after moving its first staged file into silver
    rename = Lake.rename

    def die_after_one(self: Lake, source: str, target: str) -> None:
        rename(self, source, target)
        monkeypatch.setattr(Lake, "rename", rename)
        raise SystemExit("killed while moving staged files")

    monkeypatch.setattr(Lake, "rename", die_after_one)
    with pytest.raises(SystemExit):
        run(spark, lake, SILVER_JOB)
    moved = {r.event_id for r in table(spark, lake, SILVER).select("event_id").collect()}
    assert 0 < len(moved) < expected_run(lines).silver_rows
    # AND a SIGKILL at that moment would also have left the staged files (a copy of one stands for them)
    [kept] = Path(SILVER.location(lake)).glob("year=*/month=*/*.parquet")
    staged = Path(SILVER.location(lake)) / "_staged"
    left = staged / "killed-run" / kept.parent.parent.name / kept.parent.name
    left.mkdir(parents=True)
    shutil.copy(kept, left / "part-left.parquet")
    # THEN the rerun adds exactly the events not moved, each once, and leaves nothing staged
    rerun = run(spark, lake, SILVER_JOB)
    again = expected_run(lines + BAD, held=moved)
    assert (rerun.lines_read, rerun.silver_rows, rerun.quarantined, rerun.duplicates) == again.counts
    silver = table(spark, lake, SILVER)
    assert silver.count() == silver.select("event_id").distinct().count() == expected_run(lines).silver_rows
    assert not staged.exists()


def test_2_quarantine_holds_each_bad_line_once_across_reruns(spark: SparkSession, lake: Settings) -> None:
    put_object(lake, "2015-01-01", "a", real_lines(HOUR, 10) + BAD)
    run(spark, lake, SILVER_JOB)
    again = run(spark, lake, SILVER_JOB, BookmarkOption.DISABLE)
    first = expected_run(real_lines(HOUR, 10) + BAD)  # 10 events, 4 bad lines
    want = expected_run(real_lines(HOUR, 10) + BAD, held=first.ids)
    assert (again.lines_read, again.silver_rows, again.quarantined, again.duplicates) == want.counts
    assert table(spark, lake, QUARANTINE).count() == first.quarantined
    assert table(spark, lake, SILVER).count() == first.silver_rows


def _lake_objects(lake: Settings) -> list[tuple[str, str, list[bytes]]]:
    """Three objects over two days: overlaps, a changed copy of an event, bad lines, 4 real hours."""
    lines = real_lines("2021-07-21-06to09.first200each.json.gz")
    changed = lines[250].replace(b'"public":true', b'"public":false')
    return [
        ("2021-07-21", "a", lines[:300] + BAD[:2]),
        ("2021-07-21", "b", [*lines[250:600], changed]),
        ("2021-07-22", "c", lines[550:] + lines[:20] + BAD[2:]),
    ]


def test_3_object_by_object_equals_one_full_run(spark: SparkSession, tmp_path: Path) -> None:
    one_by_one = Settings.local(tmp_path / "a", env="inc")
    full = Settings.local(tmp_path / "b", env="full")
    for day, unique, lines in _lake_objects(one_by_one):
        put_object(one_by_one, day, unique, lines)
        run(spark, one_by_one, SILVER_JOB)
        run(spark, one_by_one, GOLD_JOB)
    for day, unique, lines in _lake_objects(full):
        put_object(full, day, unique, lines)
    run(spark, full, SILVER_JOB)
    run(spark, full, GOLD_JOB)
    for t in (SILVER, GOLD_DAILY):
        assert_df_equality(table(spark, one_by_one, t), table(spark, full, t), ignore_row_order=True)
    silver = table(spark, full, SILVER)
    events = expected_run(line for _, _, lines in _lake_objects(full) for line in lines).silver_rows  # 800
    assert silver.count() == silver.select("event_id").distinct().count() == events
    assert silver.where(~F.col("is_public")).count() == 0  # the first copy won, not the changed one


def test_3_the_copy_that_wins_is_in_silver_else_first_by_day_object_and_raw_line(
    spark: SparkSession, lake: Settings
) -> None:
    lines = real_lines(HOUR, 4)

    def retyped(line: bytes) -> bytes:  # the same event, another type: sorts after the real line
        return line.replace(b'"type":"', b'"type":"X', 1)

    put_object(lake, "2015-01-01", "a", [lines[0]])
    run(spark, lake, SILVER_JOB)  # event 0 is in silver
    b = [retyped(lines[0]), retyped(lines[1]), retyped(lines[2]), lines[2], retyped(lines[3])]
    put_object(lake, "2015-01-02", "b", b)
    put_object(lake, "2015-01-01", "c", [lines[1]])  # an earlier day than b's copy of event 1
    put_object(lake, "2015-01-02", "c", [lines[3], lines[3]])  # after b, the same day
    report = run(spark, lake, SILVER_JOB)
    events = [json.loads(line) for line in lines]
    want = expected_run([*b, lines[1], lines[3], lines[3]], held=[events[0]["id"]])  # 8 lines: 3 new events, 5 copies
    assert (report.lines_read, report.silver_rows, report.quarantined, report.duplicates) == want.counts
    actual = table(spark, lake, SILVER).select("event_id", "event_type", "ingest_dt")
    winners = spark.createDataFrame(
        [
            (events[0]["id"], events[0]["type"], "2015-01-01"),  # already in silver
            (events[1]["id"], events[1]["type"], "2015-01-01"),  # the earlier day
            (events[2]["id"], events[2]["type"], "2015-01-02"),  # first object b, then the least raw line
            (events[3]["id"], "X" + events[3]["type"], "2015-01-02"),  # first object b
        ],
        actual.schema,
    )
    assert_df_equality(actual, winners, ignore_row_order=True, ignore_nullable=True)


def test_4_gold_equals_a_recount_and_only_touched_days_are_rewritten(spark: SparkSession, lake: Settings) -> None:
    hour_2015 = real_lines(HOUR, 200)
    feb = real_lines("2015-02-01-0.first100.fractional-seconds.json")
    put_object(lake, "2015-01-01", "a", hour_2015 + feb)  # one day, rows in two silver months
    put_object(lake, "2015-01-02", "b", real_lines(HOUR)[200:400])
    run(spark, lake, SILVER_JOB)
    first = run(spark, lake, GOLD_JOB)
    assert (first.gold_days, first.input_objects) == (2, 2)
    recount = (
        table(spark, lake, SILVER)
        .groupBy("event_type", "repo_name", "ingest_dt")
        .agg(F.count(F.lit(1)).alias("events_count"))
    )
    gold = table(spark, lake, GOLD_DAILY)
    assert_df_equality(gold, recount.select(*gold.columns), ignore_row_order=True, ignore_nullable=True)

    day2 = Path(GOLD_DAILY.partition_location(lake, {"ingest_dt": "2015-01-02"}))
    before = sorted(p.name for p in day2.glob("*.parquet"))
    put_object(lake, "2015-01-01", "c", real_lines(HOUR)[400:450])
    run(spark, lake, SILVER_JOB)
    second = run(spark, lake, GOLD_JOB)
    assert (second.gold_days, second.days, second.input_objects) == (1, ["2015-01-01"], 2)
    assert sorted(p.name for p in day2.glob("*.parquet")) == before
    second_day = expected_run(real_lines(HOUR)[200:400])
    day1 = expected_run(hour_2015 + feb + real_lines(HOUR)[400:450], held=second_day.ids).silver_rows  # 350
    assert gold.where(F.col("ingest_dt") == "2015-01-01").agg(F.sum("events_count")).first()[0] == day1


def test_5_corrupt_object_is_quarantined_and_later_objects_still_reach_silver(
    spark: SparkSession, lake: Settings
) -> None:
    lines = real_lines(HOUR)
    put_object(lake, "2015-01-01", "a", lines[:100])
    whole = gzip.compress(b"".join(line + b"\n" for line in lines[100:300]))
    truncated = put_object(lake, "2015-01-01", "b", [], raw=whole[: len(whole) // 2])
    put_object(lake, "2015-01-01", "c", lines[300:400])
    report = run(spark, lake, SILVER_JOB)
    want = expected_run(lines[:100] + lines[300:400])  # 200 events; the truncated object is one line, quarantined
    assert (report.lines_read, report.silver_rows, report.quarantined) == (
        want.lines_read + 1, want.silver_rows, want.quarantined + 1
    )
    assert table(spark, lake, QUARANTINE).select("raw_line", "source_object", "reason").collect() == [
        (None, f"file://{truncated}", "corrupt_object")
    ]
    put_object(lake, "2015-01-02", "d", lines[400:500])
    later = run(spark, lake, SILVER_JOB)
    assert (later.lines_read, later.silver_rows, later.quarantined) == expected_run(lines[400:500]).counts[:3]


def test_5_bad_bytes_huge_lines_and_old_schema_are_quarantined_not_fatal(spark: SparkSession, lake: Settings) -> None:
    lake = replace(lake, max_line_bytes=2 * 1024 * 1024)  # the guard at a size this test can afford
    old = gzip.decompress(
        (
            Path(__file__).parents[2] / "data/github-events/schema-drift/gharchive-2012-08-26-oldschema.json.gz"
        ).read_bytes()
    )
    good = real_lines(HOUR, 1)[0]
    huge = good.replace(b'"public":true', b'"public":true,"pad":"' + b"x" * (3 * 1024 * 1024) + b'"')
    non_utf8 = good.replace(b"petroav", b"petr\xe9av")
    put_object(lake, "2015-01-01", "a", [good, huge, non_utf8, b"\x00\x01\x02"], raw=None)
    put_object(lake, "2015-01-01", "b", [], raw=gzip.compress(old))
    report = run(spark, lake, SILVER_JOB)
    assert report.silver_rows == 1
    # The old timeline file: 86 lines of pretty-printed documents but for two one-line ones (actor a string).
    assert len(old.splitlines()) == 86
    assert report.quarantined_by_reason == {
        "bad_type:actor": 2,
        "line_too_large": 1,
        "malformed_json": 2 + 83,
        "not_an_object": 1,
    }
    assert (
        table(spark, lake, QUARANTINE)
        .where(F.col("reason") == "malformed_json")
        .where(F.col("raw_line").contains("petr"))
        .count()
        == 1
    )


def test_6_every_partition_a_run_writes_is_in_the_catalog(spark: SparkSession, lake: Settings) -> None:
    lines = real_lines("2021-07-21-06to09.first200each.json.gz")
    put_object(lake, "2021-07-21", "a", lines[:400] + BAD)
    put_object(lake, "2021-07-22", "b", lines[400:] + real_lines(HOUR, 50))
    run(spark, lake, SILVER_JOB)
    run(spark, lake, GOLD_JOB)
    for t in (BRONZE, SILVER, QUARANTINE, GOLD_DAILY, SILVER_INDEX):
        on_disk = sorted(
            "/".join(p.relative_to(t.location(lake)).parts)
            for p in Path(t.location(lake)).glob("/".join(["*"] * len(t.partition_keys)))
            if p.is_dir()
        )
        registered = sorted(r[0] for r in spark.sql(f"SHOW PARTITIONS `{lake.database}`.`{t.name}`").collect())
        assert registered == on_disk and registered, t.name


def test_6_gold_registers_only_the_days_it_wrote(spark: SparkSession, lake: Settings) -> None:
    put_object(lake, "2015-01-01", "a", real_lines(HOUR, 100))
    run(spark, lake, SILVER_JOB)
    # A silver run that died between writing its index files and registering them leaves files only.
    orphan = {"ingest_dt": "2015-01-09", "year": "2015", "month": "01"}
    index = table_rows(spark, SILVER_INDEX, [("bronze_to_silver-crashed", 1, *orphan.values())])
    index.drop(*SILVER_INDEX.partition_keys).write.parquet(SILVER_INDEX.partition_location(lake, orphan))
    report = run(spark, lake, GOLD_JOB)
    assert report.days == ["2015-01-01", "2015-01-09"]
    assert partition_values(spark, lake, GOLD_DAILY) == [{"ingest_dt": "2015-01-01"}]
    assert not Path(GOLD_DAILY.partition_location(lake, {"ingest_dt": "2015-01-09"})).exists()


def test_a_data_root_with_spaces_in_its_path_works(spark: SparkSession, tmp_path: Path) -> None:
    lake = Settings.local(tmp_path / "Application Support" / "my lake", env="spaces")
    put_object(lake, "2015-01-01", "a", real_lines(HOUR, 20))
    report = run(spark, lake, SILVER_JOB)
    want = expected_run(real_lines(HOUR, 20))
    assert (report.input_objects, report.lines_read, report.silver_rows) == (1, want.lines_read, want.silver_rows)
