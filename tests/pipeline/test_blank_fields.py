"""A required field that is blank is missing: each such line is quarantined, never taken for a duplicate."""

from __future__ import annotations

import json
from collections import Counter

from chispa import assert_df_equality
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from lakehouse.settings import Settings
from lakehouse.tables import QUARANTINE, SILVER, SILVER_JOB
from tests.support.expected import expected_run
from tests.support.lake import put_object, real_lines, run, table, with_field

HOUR = "2015-01-01-15.first1024.json.gz"
BLANKS = ("", " ", "   ", "\t", "\r\n", "\u3000")
FIELDS = ("id", "type", "created_at", "actor.login", "repo.name")


def test_blank_required_fields_are_quarantined_as_missing_across_objects(spark: SparkSession, lake: Settings) -> None:
    # GIVEN real events, 60 of them with one required field blanked (every field, every blank, twice),
    # spread over two objects, beside 200 untouched events
    lines = real_lines(HOUR, 260)
    bad = [with_field(lines[i], FIELDS[i % 5], BLANKS[(i // 5) % 6]) for i in range(60)]
    put_object(lake, "2015-01-01", "a", bad[:30] + lines[60:160])
    put_object(lake, "2015-01-01", "b", bad[30:] + lines[160:260])
    # WHEN silver runs over them
    report = run(spark, lake, SILVER_JOB)
    # THEN every blanked line is quarantined as missing:<field>, none is a duplicate, the rest reach silver
    expected_reasons = Counter(f"missing:{FIELDS[i % 5]}" for i in range(60))
    assert report.quarantined_by_reason == dict(expected_reasons)
    want = expected_run(bad + lines[60:])  # 260 lines: 200 events, 60 quarantined
    assert (report.lines_read, report.silver_rows, report.quarantined, report.duplicates) == want.counts
    quarantined = table(spark, lake, QUARANTINE).select("raw_line", "reason")
    rows = [(line.decode("utf-8"), f"missing:{FIELDS[i % 5]}") for i, line in enumerate(bad)]
    expected = spark.createDataFrame(rows, "raw_line string, reason string")
    assert_df_equality(quarantined, expected, ignore_row_order=True)
    silver = table(spark, lake, SILVER)
    required = ("event_id", "event_type", "actor_login", "repo_name")
    blank = [F.col(c).isNull() | (F.trim(F.col(c)) == "") for c in required]
    assert silver.where(blank[0] | blank[1] | blank[2] | blank[3]).count() == 0
    assert sorted(r.event_id for r in silver.select("event_id").collect()) == sorted(
        str(json.loads(line)["id"]) for line in lines[60:]
    )
