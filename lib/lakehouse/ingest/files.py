"""`lakehouse ingest files`: copy event files into bronze without judging their lines.

A JSON-lines file (gzip or not) is copied line for line, byte for byte. A file that is as a whole one
JSON array (a recorded API page) becomes one compact line per element; one JSON object, one line;
concatenated pretty-printed JSON documents, one compact line each. Bad lines are silver's business.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from lakehouse.errors import UserError
from lakehouse.layout import object_key, object_name
from lakehouse.tables import BRONZE

GZIP_MAGIC = b"\x1f\x8b"
HASH_CHARS = 20


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


def _write_object(path: Path, raw_root: Path, ingest_dt: str, now: datetime) -> Ingested:
    """Stream the content into a gzip temp file while hashing it, then rename it into bronze."""
    partition = raw_root / BRONZE.prefix / f"ingest_dt={ingest_dt}"
    partition.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    lines = 0
    last = b""
    fd, tmp = tempfile.mkstemp(dir=partition, prefix=".ingest-", suffix=".tmp")
    try:
        with _open(path) as src, os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
            for chunk in _content(src):
                digest.update(chunk)
                out.write(chunk)
                lines += chunk.count(b"\n")
                last = chunk[-1:] or last
        lines += 1 if last not in (b"", b"\n") else 0
        if lines == 0:
            return Ingested(path, "", 0, skipped=True)
        content_hash = digest.hexdigest()[:HASH_CHARS]
        existing = _already_in_bronze(raw_root, content_hash)
        if existing:
            return Ingested(path, existing, lines, skipped=True)
        key = object_key(ingest_dt, object_name(now, content_hash))
        os.replace(tmp, raw_root / key)
        return Ingested(path, key, lines, skipped=False)
    except (EOFError, OSError, zlib.error) as e:
        raise UnreadableFile(f"{path}: cannot be read whole ({e}); nothing of it was ingested") from e
    finally:
        Path(tmp).unlink(missing_ok=True)


def _already_in_bronze(raw_root: Path, content_hash: str) -> str | None:
    for found in (raw_root / BRONZE.prefix).glob(f"ingest_dt=*/*-{content_hash}.json.gz"):
        return f"{BRONZE.prefix}/{found.parent.name}/{found.name}"
    return None


def ingest_file(path: Path, raw_root: Path, ingest_dt: date, now: datetime) -> Ingested:
    """Ingest one file into the local raw bucket; a file whose content is already there is skipped."""
    if not path.is_file():
        raise UnreadableFile(f"{path}: no such file")
    return _write_object(path, raw_root, ingest_dt.isoformat(), now)
