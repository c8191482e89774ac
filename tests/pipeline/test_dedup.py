"""The fast path of silver's rule gives exactly the rows the plain rule (invariant 3) gives."""

from __future__ import annotations

import json

from chispa import assert_df_equality
from pyspark.sql import DataFrame, SparkSession

from lakehouse.dedup import SilverAppend, ids_to_decide, new_silver_rows
from lakehouse.tables import SILVER
from lakehouse.transforms import classify_lines, valid_rows
from tests.support.lake import real_lines

HOURS = "2021-07-21-06to09.first200each.json.gz"
PREFIX = "file:///lake/local-raw/github/events/"
OBJECTS = (PREFIX + "ingest_dt=2021-07-21/20210721T070000Z-a.json.gz",
           PREFIX + "ingest_dt=2021-07-21/20210721T080000Z-b.json.gz",
           PREFIX + "ingest_dt=2021-07-22/20210722T000000Z-c.json.gz")


def batch(spark: SparkSession, lines: list[tuple[bytes, str]]) -> DataFrame:
    rows = [(line.decode("utf-8"), obj) for line, obj in lines]
    return spark.createDataFrame(rows, "value string, source_object string")


def test_the_fast_path_equals_the_plain_rule_on_real_duplicates_conflicts_and_held_ids(spark: SparkSession) -> None:
    # GIVEN real events: overlapping objects over two days, copies that differ in silver columns inside one
    # object (decided by raw line) and across objects (decided by object), and ids silver already holds
    lines = real_lines(HOURS)
    flipped = [line.replace(b'"public":true', b'"public":false') for line in lines[250:260]]
    a = [(line, OBJECTS[0]) for line in lines[:300] + flipped[:5]]
    b = [(line, OBJECTS[1]) for line in lines[250:600] + flipped[5:]]
    c = [(line, OBJECTS[2]) for line in lines[550:] + lines[:20]]
    classified = classify_lines(batch(spark, a + b + c), max_line_bytes=1 << 26)
    held = spark.createDataFrame([(str(json.loads(line)["id"]),) for line in lines[100:140]], "event_id string")
    # WHEN the rows are chosen the fast way, from silver's columns alone (no object, no raw line: what a run
    # stages), the conflicts by object and raw line apart
    lean = valid_rows(classify_lines(batch(spark, a + b + c), max_line_bytes=1 << 26)).select(*SILVER.column_names)
    undecided = ids_to_decide(lean, held).cache()
    fast = SilverAppend.of(lean, held, undecided)
    # THEN they are the plain rule's, row for row, and the conflicts were really decided by raw line
    rows = fast.first.unionByName(fast.second(valid_rows(classified)))
    assert_df_equality(rows, new_silver_rows(valid_rows(classified), held), ignore_row_order=True)
    # lines[250:260]: copies that differ on their first day, 2021-07-21 (in a for 250-254, in b for 255-259)
    assert fast.conflicted.count() == 10
    assert undecided.count() == 50 + 50 + 20 + 40  # a∩b, b∩c, c∩a, held
