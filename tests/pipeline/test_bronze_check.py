"""Checking a bronze object before Spark reads it: its lines as Hadoop counts them, and whether it is UTF-8."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest

from lakehouse import bronze_check
from lakehouse.bronze_check import CorruptObject, ObjectCheck, check_object, scan
from tests.support.lake import DATA


@pytest.mark.parametrize(
    ("data", "lines"),
    [
        (b"", 0),
        (b"a\nb\n", 2),
        (b"a\nb", 2),
        (b"a\r\nb\r\n", 2),
        (b"a\rb\r", 2),
        (b"a\r\rb", 3),
        (b"\n\n", 2),
    ],
)
def test_lines_are_counted_as_hadoop_splits_them(data: bytes, lines: int) -> None:
    assert scan(io.BytesIO(data)) == ObjectCheck(lines, utf8=True)


@pytest.mark.parametrize(
    ("data", "utf8"),
    [
        ("caf\u00e9 \u6f22 \U0001f600\n".encode(), True),
        ("\ufffd\n".encode(), True),  # a real U+FFFD
        (b"petr\xe9av\n", False),  # Latin-1
        (b"\xc3\n", False),  # a character cut by the end of its line
        (b"ok\n\xe6\xbc", False),  # ... and by the end of the object
        (b"\xc0\xaf\n", False),  # an overlong form of "/"
        (b"\xed\xa0\x80\n", False),  # a surrogate
        (b"\x80\n", False),  # a continuation byte alone
    ],
)
def test_an_object_is_utf8_only_if_every_byte_is(data: bytes, utf8: bool) -> None:
    assert scan(io.BytesIO(data)).utf8 is utf8


def test_characters_and_lines_cut_by_chunk_boundaries_are_checked_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bronze_check, "CHUNK", 3)
    text = "\u00e9t\u00e9\n\u6f22\u5b57 \U0001f600\nascii line\n\u00e9".encode()
    assert scan(io.BytesIO(text)) == ObjectCheck(4, utf8=True)
    assert scan(io.BytesIO(text[:-1])) == ObjectCheck(4, utf8=False)
    assert scan(io.BytesIO(text.replace(b"ascii", b"asc\xffi"))) == ObjectCheck(4, utf8=False)


def test_a_real_hour_is_counted_and_found_utf8(tmp_path: Path) -> None:
    hour = DATA / "gharchive" / "2015-01-01-15.first1024.json.gz"
    lines = len(gzip.decompress(hour.read_bytes()).splitlines())  # 1,024
    assert check_object(hour) == ObjectCheck(lines, utf8=True)
    truncated = tmp_path / "truncated.json.gz"
    truncated.write_bytes(hour.read_bytes()[:-100])
    with pytest.raises(CorruptObject):
        check_object(truncated)
    latin1 = tmp_path / "latin1.json.gz"
    latin1.write_bytes(gzip.compress(gzip.decompress(hour.read_bytes()).replace(b"petroav", b"petr\xe9av", 1)))
    assert check_object(latin1) == ObjectCheck(lines, utf8=False)
