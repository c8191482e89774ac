"""Silver's `action` and `pr_merged` on real events of each era of GitHub's payloads (2012 to after 2025's trim).

What each era carries, found in the samples: `payload.action` on WatchEvent (started), IssuesEvent,
PullRequestEvent, IssueCommentEvent, ReleaseEvent, MemberEvent... and never on PushEvent, CreateEvent,
ForkEvent; `pull_request.merged` on every PullRequestEvent up to 2025-01. The trimmed PushEvent of
2025-12 has no `size` or `commits`. Absent is null in silver, never false, and never a quarantine reason.
"""

from __future__ import annotations

import json

from chispa import assert_df_equality
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from lakehouse.schemas import table_schema
from lakehouse.settings import Settings
from lakehouse.tables import GOLD_JOB, QUARANTINE, REPO_DAILY, SILVER, SILVER_JOB
from tests.support.lake import DATA, put_object, real_lines, run, table
from tests.support.marts_recount import action_of, merged_of, repo_daily_rows, silver_events

AFTER_TRIM = DATA / "schema-drift" / "pushevent-2025-12-15-after-payload-change.json"


def _compact(event: object) -> bytes:
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _trimmed_pull_request() -> bytes:
    """A real merged PullRequestEvent of 2025-01 whose pull_request no longer says `merged`, as trimmed payloads."""
    for line in real_lines("2025-01-01-15.first2048.json.gz"):
        event = json.loads(line)
        if event["type"] == "PullRequestEvent" and event["payload"]["pull_request"].get("merged") is True:
            del event["payload"]["pull_request"]["merged"]
            event["id"] += "-trimmed"
            return _compact(event)
    raise AssertionError("no merged pull request in the 2025 sample")


ERAS = {
    "2012": [_compact(e) for e in json.loads((DATA / "api-pages" / "events-2012-03.json").read_text())],
    "2015": real_lines("2015-01-01-15.first1024.json.gz"),
    "2021": real_lines("2021-07-21-06to09.first200each.json.gz"),
    "2024": [
        _compact(json.loads((DATA / "schema-drift" / "pushevent-2024-05-21-before-payload-change.json").read_text()))
    ],
    "2025-01": real_lines("2025-01-01-15.first2048.json.gz"),
    "2025-12": [_compact(json.loads(AFTER_TRIM.read_text())), _trimmed_pull_request()],
}
OBJECTS = [("2026-11-25", lines) for lines in ERAS.values()]


def test_silver_action_and_pr_merged_of_every_era_as_the_payload_says(spark: SparkSession, lake: Settings) -> None:
    for n, (day, lines) in enumerate(OBJECTS):
        put_object(lake, day, f"era{n}", lines)
    run(spark, lake, SILVER_JOB)
    events = silver_events(OBJECTS)
    expected = spark.createDataFrame(
        [(e["id"], e["type"], action_of(e), merged_of(e)) for _, e in events],
        "event_id string, event_type string, action string, pr_merged boolean",
    )
    silver = table(spark, lake, SILVER)
    assert_df_equality(silver.select(*expected.columns), expected, ignore_row_order=True)
    assert table(spark, lake, QUARANTINE).count() == sum(len(lines) for _, lines in OBJECTS) - len(events)
    trimmed = silver.where(
        F.col("event_id").isin(json.loads(AFTER_TRIM.read_text())["id"]) | F.col("event_id").endswith("-trimmed")
    )
    assert sorted(trimmed.select("event_type", "action", "pr_merged").collect()) == [
        ("PullRequestEvent", "closed", None),  # a trimmed payload: merged unknown, not false
        ("PushEvent", None, None),
    ]
    run(spark, lake, GOLD_JOB)
    assert_df_equality(
        table(spark, lake, REPO_DAILY),
        spark.createDataFrame(repo_daily_rows(events), table_schema(REPO_DAILY)),
        ignore_row_order=True,
    )
