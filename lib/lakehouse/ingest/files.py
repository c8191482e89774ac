"""`lakehouse ingest files`: copy event files into bronze without judging their lines.

A JSON-lines file (gzip or not) is copied line for line, byte for byte. A file that is as a whole one
JSON array (a recorded API page) becomes one compact line per element; one JSON object, one line;
concatenated pretty-printed JSON documents, one compact line each. Bad lines are silver's business.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from lakehouse.errors import UserError
from lakehouse.ingest.bronze_writer import BronzeWriter
from lakehouse.storage import LocalStore

GZIP_MAGIC = b"\x1f\x8b"


class UnreadableFile(UserError):
    """A file cannot be read whole; nothing of it is ingested."""


@dataclass(frozen=True)
class Ingested:
    path: Path
    key: str
    lines: int
    skipped: bool


def _open(path: Path) -> BinaryIO:
    with path.open("rb") as probe:
        magic = probe.read(2)
    return gzip.open(path, "rb") if magic == GZIP_MAGIC else path.open("rb")  # type: ignore[return-value]


def _json_value(line: bytes) -> object | None:
    """The JSON value a line holds whole, or None when it does not."""
    try:
        return json.loads(line)
    except (ValueError, UnicodeDecodeError):
        return None


def _compact(values: list[object]) -> bytes:
    return b"".join(json.dumps(v, separators=(",", ":"), ensure_ascii=False).encode() + b"\n" for v in values)


def _documents(data: bytes) -> bytes:
    """One compact line per element of one JSON array, or per concatenated document; raw if not JSON."""
    decoder = json.JSONDecoder()
    try:
        text = data.decode("utf-8").strip()
        values, position = [], 0
        while position < len(text):
            value, position = decoder.raw_decode(text, position)
            values.append(value)
            position = len(text) - len(text[position:].lstrip())
    except (ValueError, UnicodeDecodeError):
        return data  # not JSON documents: bronze keeps the bytes, silver quarantines the lines
    if len(values) == 1 and isinstance(values[0], list):
        values = values[0]
    return _compact(values)


def _content(stream: BinaryIO) -> Iterator[bytes]:
    """The bytes of a bronze object for a file: its own lines, or compact lines of its documents."""
    first = stream.readline()
    peek = stream.read(1 << 20)
    if not peek.strip():  # one line: an array becomes its elements, anything else stays as it is
        value = _json_value(first)
        yield _compact(value) if isinstance(value, list) else first + peek
    elif _json_value(first) is not None or not first.strip():  # JSON lines: byte for byte
        yield first
        yield peek
        while chunk := stream.read(1 << 20):
            yield chunk
    else:  # a pretty-printed document, or several
        yield _documents(first + peek + stream.read())


def ingest_file(path: Path, raw_root: Path, ingest_dt: date, now: datetime) -> Ingested:
    """Ingest one file into the local raw bucket through the bronze writer, named by a hash of its content.

    A file whose content is already in bronze (any day) is skipped, and so is a file without a line.
    """
    if not path.is_file():
        raise UnreadableFile(f"{path}: no such file")
    try:
        with _open(path) as source:
            written = BronzeWriter(LocalStore(raw_root)).write(_content(source), now, ingest_dt=ingest_dt)
    except (EOFError, OSError, zlib.error) as e:
        raise UnreadableFile(f"{path}: cannot be read whole ({e}); nothing of it was ingested") from e
    return Ingested(path, written.key, written.lines, skipped=not written.new)
