"""One line counter, Hadoop's rule (LF, CR or CRLF end a line): every count of bronze lines agrees with Spark's."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from lakehouse.bronze_check import check_object, scan
from lakehouse.ingest.bronze_writer import BronzeWriter
from lakehouse.ingest.files import ingest_file
from lakehouse.lines import count_lines
from lakehouse.storage import LocalStore

ARRIVAL = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)
# Before there was one counter, `ingest files` and the backfill counted LF only: they disagreed on all but the first.
CASES = [b"a\nb\n", b"a\r\nb\r\n", b"a\rb\r", b"a\nb", b"a\r\nb", b"a\rb", b"a\r\r\nb\n\rc", b"\n", b"\r\n\r"]


@pytest.mark.parametrize("data", [b"", *CASES])
def test_the_counter_ends_lines_as_python_splitlines_does_wherever_the_chunks_are_cut(data: bytes) -> None:
    expected = len(data.splitlines())  # bytes.splitlines ends a line at LF, CR or CRLF, as Hadoop's LineReader
    assert [count_lines([data[:cut], data[cut:]]) for cut in range(len(data) + 1)] == [expected] * (len(data) + 1)
    assert scan(io.BytesIO(data)).lines == expected


def test_the_writer_ingest_files_and_the_object_check_count_the_lines_spark_reads(
    spark: SparkSession, tmp_path: Path,
) -> None:
    writer, raw = BronzeWriter(LocalStore(tmp_path / "raw")), tmp_path / "raw"
    for n, data in enumerate(CASES):
        written = writer.write([data], ARRIVAL, f"case-{n}")
        source = tmp_path / f"case-{n}.txt"
        source.write_bytes(data)
        ingested = ingest_file(source, tmp_path / "files", date(2026, 11, 25), ARRIVAL)
        spark_lines = spark.read.text(str(raw / written.key)).count()
        counts = (written.lines, ingested.lines, check_object(raw / written.key).lines)
        assert counts == (spark_lines,) * 3, f"{data!r}"
