"""Valid events of many MiB reach silver; only a pathological line over the limit is quarantined, whole."""

from __future__ import annotations

import gzip
import hashlib
import json
from datetime import datetime

from chispa import assert_df_equality
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from lakehouse.settings import Settings
from lakehouse.tables import QUARANTINE, SILVER, SILVER_JOB
from tests.support.expected import expected_run
from tests.support.lake import put_object, real_lines, run, table
from tests.support.marts_recount import action_of, merged_of

HOUR = "2015-01-01-15.first1024.json.gz"
MiB = 1024 * 1024


def grown(line: bytes, size: int, event_id: str) -> bytes:
    """A real PushEvent under a new id, its first commit message long enough for the line to be `size` bytes."""
    event = json.loads(line)
    event["id"] = event_id
    event["payload"]["commits"][0]["message"] = ""
    short = len(json.dumps(event, separators=(",", ":")).encode("utf-8"))
    event["payload"]["commits"][0]["message"] = "long commit message\n" * ((size - short) // 21 + 1)
    return json.dumps(event, separators=(",", ":")).encode("utf-8")


def silver_row(line: bytes) -> tuple[object, ...]:
    """The silver columns of an event (ingested on 2015-01-01), partition keys last, from the json module."""
    e = json.loads(line)
    created = datetime.strptime(e["created_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=None)
    return (str(e["id"]), e["type"], created.date(), e["repo"]["name"], e["actor"]["login"], created,
            "2015-01-01", e["repo"]["id"], e["actor"]["id"], (e.get("org") or {}).get("login"), e["public"],
            action_of(e), merged_of(e), f"{created:%Y}", f"{created:%m}")


def test_events_of_5_and_30_mib_reach_silver_and_a_100_mib_line_is_quarantined_whole(
    spark: SparkSession, lake: Settings,
) -> None:
    # GIVEN two real PushEvents grown to 5 and 30 MiB beside 100 ordinary events, and an object whose
    # last 100 MiB have no line end (a file that is not JSON lines at all)
    lines = real_lines(HOUR, 100)
    push = next(line for line in lines if json.loads(line)["type"] == "PushEvent")
    big = [grown(push, 5 * MiB, "5mib"), grown(push, 30 * MiB, "30mib")]
    junk = b"{" + b"0123456789" * (10 * MiB)
    put_object(lake, "2015-01-01", "a", [big[0], *lines[:50], big[1]])
    put_object(lake, "2015-01-01", "b", [], raw=gzip.compress(b"".join(line + b"\n" for line in lines[50:]) + junk, 1))
    assert [len(b) // MiB for b in big] == [5, 30] and len(junk) > 100 * MiB
    # WHEN silver runs
    report = run(spark, lake, SILVER_JOB)
    # THEN the two large events are in silver with their columns, the junk is quarantined, the run went on
    want = expected_run([big[0], *lines[:50], big[1], *lines[50:], junk])  # 103 lines: 102 events, the junk
    assert (report.lines_read, report.silver_rows, report.quarantined, report.duplicates) == want.counts
    assert report.quarantined_by_reason == {"line_too_large": 1}
    actual = table(spark, lake, SILVER).where(F.col("event_id").isin("5mib", "30mib")).select(*SILVER.column_names)
    expected = spark.createDataFrame([silver_row(big[0]), silver_row(big[1])], actual.schema)
    assert_df_equality(actual, expected, ignore_row_order=True)
    # AND the quarantined line's bytes are all there, recoverable from its quarantine row
    [kept] = table(spark, lake, QUARANTINE).select(
        "reason", F.length("raw_line").alias("chars"), F.sha2(F.col("raw_line").cast("binary"), 256).alias("sha")
    ).collect()
    assert (kept.reason, kept.chars, kept.sha) == ("line_too_large", len(junk), hashlib.sha256(junk).hexdigest())
