"""Every kind of bad line gets the reason code that names what was wrong (DESIGN.md)."""

from __future__ import annotations

import pytest
from chispa import assert_df_equality
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from lakehouse.transforms import classify_lines

OBJ = "file:///lake/local-raw/github/events/ingest_dt=2015-01-01/20150101T000000Z-a.json.gz"
GOOD = (
    '{"id":"1","type":"PushEvent","actor":{"id":5,"login":"a"},"repo":{"id":7,"name":"a/b"},'
    '"public":true,"created_at":"2015-01-01T00:00:00Z"}'
)

CASES = [
    (GOOD, None),
    (GOOD.replace('"public":true', '"public":false'), None),
    (GOOD.replace(',"repo":{"id":7,"name":"a/b"}', ',"repo":{"name":"/"}'), None),
    (GOOD.replace('"id":"1"', '"id":1'), None),
    ("", "malformed_json"),
    ("{not json", "malformed_json"),
    (GOOD + " trailing", "malformed_json"),
    (GOOD[:-1], "malformed_json"),
    ("[1, 2]", "not_an_object"),
    ('"a string"', "not_an_object"),
    ("42", "not_an_object"),
    ("null", "not_an_object"),
    (GOOD.replace('"id":"1",', ""), "missing:id"),
    (GOOD.replace('"id":"1"', '"id":null'), "missing:id"),
    (GOOD.replace('"type":"PushEvent",', ""), "missing:type"),
    (GOOD.replace(',"created_at":"2015-01-01T00:00:00Z"', ""), "missing:created_at"),
    (GOOD.replace('"login":"a"', '"name":"a"'), "missing:actor.login"),
    (GOOD.replace('"name":"a/b"', '"full":"a/b"'), "missing:repo.name"),
    (GOOD.replace('"id":"1"', '"id":""'), "missing:id"),
    (GOOD.replace('"id":"1"', '"id":"   "'), "missing:id"),
    (GOOD.replace('"id":"1"', '"id":"\\t\\r\\n"'), "missing:id"),
    (GOOD.replace('"id":"1"', '"id":" \u3000\u00a0"'), "missing:id"),
    (GOOD.replace('"id":"1"', '"id":" 1 "'), None),  # not blank: kept as sent
    (GOOD.replace('"type":"PushEvent"', '"type":""'), "missing:type"),
    (GOOD.replace('"type":"PushEvent"', '"type":" "'), "missing:type"),
    (GOOD.replace("2015-01-01T00:00:00Z", ""), "missing:created_at"),
    (GOOD.replace("2015-01-01T00:00:00Z", "  "), "missing:created_at"),
    (GOOD.replace('"login":"a"', '"login":""'), "missing:actor.login"),
    (GOOD.replace('"login":"a"', '"login":"\\t"'), "missing:actor.login"),
    (GOOD.replace('"name":"a/b"', '"name":""'), "missing:repo.name"),
    (GOOD.replace('"name":"a/b"', '"name":"  "'), "missing:repo.name"),
    (GOOD.replace('"actor":{"id":5,"login":"a"}', '"actor":"a"'), "bad_type:actor"),
    (GOOD.replace('"actor":{"id":5,', '"actor":{"id":"five",'), "bad_type:actor.id"),
    (GOOD.replace('"public":true', '"public":"yes"'), "bad_type:public"),
    (GOOD.replace('"repo":{"id":7,', '"repo":{"id":[7],'), "bad_type:repo.id"),
    # the payload fields silver reads: any JSON value of action or merged is fine; a payload that is no object is not
    (GOOD.replace('"public"', '"payload":{"action":5,"pull_request":{"merged":"yes"}},"public"'), None),
    (GOOD.replace('"public"', '"payload":{"pull_request":null},"public"'), None),
    (GOOD.replace('"public"', '"payload":"opened","public"'), "bad_type:payload"),
    (GOOD.replace('"public"', '"payload":{"pull_request":[1]},"public"'), "bad_type:payload.pull_request"),
    (GOOD.replace("2015-01-01T00:00:00Z", "yesterday"), "bad_timestamp"),
    (GOOD.replace("2015-01-01T00:00:00Z", "2015-13-45T00:00:00Z"), "bad_timestamp"),
    (GOOD.replace('"a/b"', '"' + "x" * 3000 + '"'), "line_too_large"),
    (GOOD.replace('"a/b"', '"a/\ufffd"'), None),  # a real U+FFFD is fine; invalid bytes are not (below)
    (" \t" + GOOD, None),  # whitespace around the object is JSON's
    ("\r\n " + GOOD + " \t", None),
    (" [1]", "not_an_object"),
]
# A repository name's bytes, and whether the line is UTF-8 (RFC 8259, section 8.1: else malformed_json).
BYTES = [
    (b"a/\xc3\xa9", True),  # é
    (b"a/\xe6\xbc\xa2", True),  # 漢
    (b"a/\xf0\x9f\x98\x80", True),  # 😀, four bytes
    (b"a/\xe9", False),  # Latin-1 é
    (b"a/\xc3", False),  # a character cut short
    (b"a/\xe6\xbc", False),
    (b"a/\xc0\xaf", False),  # an overlong form of "/"
    (b"a/\xed\xa0\x80", False),  # a surrogate
    (b"a/\x80", False),  # a continuation byte alone
    (b"a/\xff", False),
]


@pytest.mark.parametrize("check_utf8", [True, False], ids=["each line checked for UTF-8", "known UTF-8"])
def test_each_bad_line_gets_its_reason(spark: SparkSession, check_utf8: bool) -> None:
    lines = spark.createDataFrame([(line, OBJ) for line, _ in CASES], "value string, source_object string")
    actual = classify_lines(lines, max_line_bytes=2048, check_utf8=check_utf8).select("raw_line", "reason")
    expected = spark.createDataFrame(CASES, "raw_line string, reason string")
    assert_df_equality(actual, expected, ignore_row_order=True)


def test_a_line_whose_bytes_are_not_utf8_is_malformed(spark: SparkSession) -> None:
    lines = [GOOD.encode().replace(b"a/b", name) for name, _ in BYTES]
    raw = spark.createDataFrame([(line, OBJ) for line in lines], "value binary, source_object string")
    judged = classify_lines(raw.select(F.col("value").cast("string"), "source_object"), max_line_bytes=2048)
    actual = judged.select(F.col("raw_line").cast("binary").alias("line"), "reason")
    want = [(line, None if utf8 else "malformed_json") for line, (_, utf8) in zip(lines, BYTES, strict=True)]
    assert_df_equality(actual, spark.createDataFrame(want, "line binary, reason string"), ignore_row_order=True)
