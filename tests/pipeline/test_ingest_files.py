"""`ingest files`: bronze gets the lines as they were, documents as compact lines, nothing half."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from lakehouse.ingest.files import UnreadableFile, ingest_file
from lakehouse.settings import Settings
from lakehouse.tables import SILVER_JOB
from tests.support.lake import DATA, real_lines, run

NOW = datetime(2026, 11, 25, 10, 30, 0, tzinfo=UTC)
DAY = date(2026, 11, 25)


def _bronze_lines(raw: Path, key: str) -> list[bytes]:
    return gzip.decompress((raw / key).read_bytes()).splitlines()


def test_json_lines_gzip_are_copied_byte_for_byte(tmp_path: Path) -> None:
    source = DATA / "gharchive" / "2025-01-01-15.first2048.json.gz"
    result = ingest_file(source, tmp_path, DAY, NOW)
    assert result.key.startswith("github/events/ingest_dt=2026-11-25/20261125T103000Z-")
    assert result.key.endswith(".json.gz") and (result.lines, result.skipped) == (2048, False)
    assert gzip.decompress((tmp_path / result.key).read_bytes()) == gzip.decompress(source.read_bytes())


def test_plain_json_lines_are_copied_byte_for_byte(tmp_path: Path) -> None:
    source = DATA / "gharchive" / "2015-02-01-0.first100.fractional-seconds.json"
    result = ingest_file(source, tmp_path, DAY, NOW)
    assert gzip.decompress((tmp_path / result.key).read_bytes()) == source.read_bytes()
    assert result.lines == 100


def test_an_api_page_becomes_one_compact_line_per_event(tmp_path: Path) -> None:
    source = DATA / "api-pages" / "events-2017-03-01.json"
    events = json.loads(source.read_bytes())
    result = ingest_file(source, tmp_path, DAY, NOW)
    lines = _bronze_lines(tmp_path, result.key)
    assert [json.loads(line) for line in lines] == events
    assert lines[0] == json.dumps(events[0], separators=(",", ":"), ensure_ascii=False).encode()


def test_one_object_is_one_line_and_concatenated_documents_one_line_each(tmp_path: Path) -> None:
    one = DATA / "schema-drift" / "pushevent-2025-12-15-after-payload-change.json"
    assert [json.loads(x) for x in _bronze_lines(tmp_path, ingest_file(one, tmp_path, DAY, NOW).key)] == [
        json.loads(one.read_bytes())
    ]
    old = DATA / "schema-drift" / "gharchive-2012-08-26-oldschema.json.gz"
    lines = _bronze_lines(tmp_path, ingest_file(old, tmp_path, DAY, NOW).key)
    assert [json.loads(line)["actor"] for line in lines] == ["begoon", "kkz-yk", "kanedank", "apphb"]


def test_the_same_content_is_skipped(tmp_path: Path) -> None:
    source = DATA / "gharchive" / "2015-02-01-0.first100.fractional-seconds.json"
    first = ingest_file(source, tmp_path, DAY, NOW)
    again = ingest_file(source, tmp_path, date(2026, 11, 26), NOW)
    assert (again.skipped, again.key) == (True, first.key)
    assert len(list(tmp_path.rglob("*.json.gz"))) == 1


def test_a_truncated_gzip_is_refused_and_nothing_lands(tmp_path: Path) -> None:
    whole = (DATA / "gharchive" / "2015-01-01-15.first1024.json.gz").read_bytes()
    broken = tmp_path / "broken.json.gz"
    broken.write_bytes(whole[: len(whole) // 2])
    raw = tmp_path / "raw"
    with pytest.raises(UnreadableFile, match=r"broken\.json\.gz: cannot be read whole"):
        ingest_file(broken, raw, DAY, NOW)
    assert [p for p in raw.rglob("*") if p.is_file()] == []


def test_a_file_with_cr_line_ends_has_as_many_lines_in_ingest_files_as_in_silver(
    spark: SparkSession, lake: Settings, tmp_path: Path,
) -> None:
    lines = real_lines("2015-01-01-15.first1024.json.gz", 40)
    source = tmp_path / "classic-mac.json"
    source.write_bytes(b"\r".join(lines) + b"\r")
    result = ingest_file(source, Path(lake.uri("raw")), DAY, NOW)
    assert gzip.decompress(Path(lake.uri("raw", result.key)).read_bytes()) == source.read_bytes()
    report = run(spark, lake, SILVER_JOB)
    assert (result.lines, report.lines_read, report.silver_rows, report.quarantined) == (40, 40, 40, 0)
