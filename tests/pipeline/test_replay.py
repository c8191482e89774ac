"""replay_quarantine: after a validation change, exactly the lines now valid move to silver, once."""

from __future__ import annotations

import pytest
from pyspark.sql import Column, SparkSession
from pyspark.sql import functions as F

from lakehouse import transforms
from lakehouse.bookmarks import BookmarkOption
from lakehouse.jobs import replay as replay_module
from lakehouse.jobs.run_record import RunReport
from lakehouse.jobs.runner import run_job
from lakehouse.jobs.scope import Scope
from lakehouse.runtime.local import LocalRuntime
from lakehouse.settings import Settings
from lakehouse.tables import QUARANTINE, REPLAY_JOB, RUNS, SILVER, SILVER_JOB
from tests.support.expected import event_of, expected_run
from tests.support.lake import put_object, real_lines, run, table

HOUR = "2015-01-01-15.first1024.json.gz"
BAD = [b"{not json", b"[1,2]", b'{"id":"x","type":"PushEvent"}']
STRICT = "test:push_event"


def lines() -> list[bytes]:
    hour = real_lines(HOUR)
    return hour[:300] + BAD + hour[250:400]  # 50 events twice


def strict_lake(spark: SparkSession, lake: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """A lake built under a stricter validation (every PushEvent quarantined), which is then relaxed."""
    judge = transforms.quarantine_reason

    def strict(value: Column, event: Column, *args: object, **kwargs: object) -> Column:
        return F.when(event["type"] == "PushEvent", F.lit(STRICT)).otherwise(judge(value, event, *args, **kwargs))

    with monkeypatch.context() as patched:
        patched.setattr(transforms, "quarantine_reason", strict)
        put_object(lake, "2015-01-01", "a", lines()[:303])
        run(spark, lake, SILVER_JOB)
        put_object(lake, "2015-01-01", "b", lines()[303:])
        run(spark, lake, SILVER_JOB)


def replay(spark: SparkSession, lake: Settings, scope: Scope | None = None) -> RunReport:
    return run_job(LocalRuntime.create(spark, lake, REPLAY_JOB, BookmarkOption.DISABLE), scope=scope)


def pushes() -> list[bytes]:
    """The lines the strict validation quarantined and today's finds valid (json module)."""
    return [line for line in lines() if (event := event_of(line)) is not None and event["type"] == "PushEvent"]


def silver_ids(spark: SparkSession, lake: Settings) -> list[str]:
    return sorted(r["event_id"] for r in table(spark, lake, SILVER).select("event_id").collect())


def balanced(spark: SparkSession, lake: Settings) -> bool:
    runs = table(spark, lake, RUNS)
    counted = F.col("silver_rows") + F.col("quarantined") + F.col("duplicates")
    return runs.where(F.col("lines_read") != counted).isEmpty()


def test_replay_moves_exactly_the_lines_now_valid_and_a_second_moves_nothing(
    spark: SparkSession, lake: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    strict_lake(spark, lake, monkeypatch)
    held = silver_ids(spark, lake)
    moved = expected_run(pushes())
    first = replay(spark, lake)
    assert (first.lines_read, first.silver_rows, first.quarantined, first.duplicates) == (
        len(pushes()) + len(BAD), moved.silver_rows, len(BAD), moved.duplicates
    )
    assert silver_ids(spark, lake) == sorted(held + moved.ids) == sorted(expected_run(lines()).ids)
    quarantine = table(spark, lake, QUARANTINE).select("raw_line", "reason").collect()
    assert sorted(r["raw_line"].encode() for r in quarantine) == sorted(BAD)
    second = replay(spark, lake)
    assert (second.lines_read, second.silver_rows, second.quarantined, second.partitions) == (len(BAD), 0, len(BAD), [])
    assert silver_ids(spark, lake) == sorted(expected_run(lines()).ids)
    assert balanced(spark, lake)


def test_replay_of_one_reason_judges_only_those_lines(
    spark: SparkSession, lake: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    strict_lake(spark, lake, monkeypatch)
    held = silver_ids(spark, lake)
    report = replay(spark, lake, Scope.of(reason="malformed_json"))
    assert (report.lines_read, report.silver_rows, report.quarantined, report.partitions) == (1, 0, 1, [])
    assert silver_ids(spark, lake) == held
    assert replay(spark, lake, Scope.of(reason=STRICT, to_day="2014-12-31")).lines_read == 0  # no such day
    assert replay(spark, lake, Scope.of(reason=STRICT)).silver_rows == expected_run(pushes()).silver_rows


class Killed(BaseException):
    """The process dies here: no clean-up of ours runs."""


def test_a_crash_between_the_silver_append_and_the_quarantine_switch_converges(
    spark: SparkSession, lake: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    strict_lake(spark, lake, monkeypatch)

    def die(*args: object, **kwargs: object) -> None:
        raise Killed

    with monkeypatch.context() as patched:
        patched.setattr(replay_module, "rewrite_partitions", die)
        with pytest.raises(Killed):
            replay(spark, lake)
    rerun = replay(spark, lake)
    moved = expected_run(pushes())
    assert (rerun.silver_rows, rerun.duplicates, rerun.quarantined) == (0, len(pushes()), len(BAD))
    silver = table(spark, lake, SILVER)
    assert silver.count() == silver.select("event_id").distinct().count() == len(expected_run(lines()).ids)
    assert set(moved.ids) <= set(silver_ids(spark, lake))
    assert sorted(r["raw_line"].encode() for r in table(spark, lake, QUARANTINE).collect()) == sorted(BAD)
    assert balanced(spark, lake)
