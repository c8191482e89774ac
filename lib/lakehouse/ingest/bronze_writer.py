"""The one bronze writer: gzip JSON-lines objects into the raw bucket, each whole or absent, then catalogued.

Every way into bronze goes through it: the API poller (so the Lambda), `lakehouse ingest files`, the GH Archive
backfill, the benchmarks' data and the tests' lakes. An object is named `YYYYMMDDTHHMMSSZ-<unique>.json.gz` by
its arrival (lakehouse.layout); its gzip has mtime 0 and no file name, so the same lines give the same bytes;
its lines are counted by the rule silver reads them with (lakehouse.lines). No pyspark.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Protocol

from lakehouse.layout import OBJECT_SUFFIX, object_key, object_name
from lakehouse.lines import LineCounter
from lakehouse.storage import ObjectStore
from lakehouse.tables import BRONZE

logger = logging.getLogger(__name__)

GZIP_LEVEL = 6
HASH_CHARS = 20  # of the content's SHA-256: the unique part of a name given by content


class PartitionRegistrar(Protocol):
    """Adds an ingest_dt partition of the bronze table to a catalog, idempotently."""

    def register(self, ingest_dt: str) -> None: ...


@dataclass(frozen=True)
class WrittenObject:
    """An object in bronze: written now, or found there already with the same content (`new` False)."""

    key: str  # '' when the content held no line, so nothing was written
    lines: int
    size: int
    new: bool = True


def compress(content: Iterable[bytes], path: Path) -> tuple[int, str]:
    """Gzip chunks of content into path, a chunk at a time; its lines and the SHA-256 of the content."""
    counter, digest = LineCounter(), hashlib.sha256()
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=GZIP_LEVEL,
                                               mtime=0) as out:
        for chunk in content:
            counter.update(chunk)
            digest.update(chunk)
            out.write(chunk)
    return counter.lines, digest.hexdigest()


@dataclass
class BronzeWriter:
    """Writes bronze objects into a store and registers each new ingest_dt once per writer.

    Objects are compressed in `tmp_dir` (None: the system's) before they are put, so memory stays bounded.
    """

    store: ObjectStore
    registrar: PartitionRegistrar | None = None
    tmp_dir: Path | None = None
    _registered: set[str] = field(default_factory=set)

    def write_events(self, arrival: datetime, unique: str, texts: Sequence[str]) -> WrittenObject:
        """Write texts as the UTF-8 lines of one object named by arrival and unique, in arrival's day."""
        return self.write((f"{text}\n".encode() for text in texts), arrival, unique)

    def write(self, content: Iterable[bytes], arrival: datetime, unique: str | None = None,
              ingest_dt: date | str | None = None) -> WrittenObject:
        """Write content (JSON lines, in chunks of any size) as one object, in ingest_dt (default arrival's day).

        With unique None the name ends in a hash of the content, and content already in bronze under that
        hash is not written again. Content without a line writes nothing.
        """
        day = _day(ingest_dt, arrival)
        with tempfile.TemporaryDirectory(dir=self.tmp_dir, prefix="bronze-") as tmp:
            staged = Path(tmp) / f"object{OBJECT_SUFFIX}"
            lines, digest = compress(content, staged)
            size = staged.stat().st_size
            if lines == 0:
                return WrittenObject("", 0, 0, new=False)
            if unique is None:
                unique = digest[:HASH_CHARS]
                existing = self.find(unique)
                if existing is not None:
                    return WrittenObject(existing, lines, size, new=False)
            key = object_key(day, object_name(arrival, unique))
            self.store.put_file(key, staged)
        return self._written(key, day, lines, size)

    def write_gzip_file(self, path: Path, arrival: datetime, unique: str, lines: int) -> WrittenObject:
        """Put a gzip JSON-lines file in bronze byte for byte, in arrival's day; the caller read it whole: `lines`."""
        day = _day(None, arrival)
        key = object_key(day, object_name(arrival, unique))
        self.store.put_file(key, path)
        return self._written(key, day, lines, path.stat().st_size)

    def find(self, unique: str) -> str | None:
        """The key of an object in any partition whose name ends in unique, if there is one."""
        suffix = f"-{unique}{OBJECT_SUFFIX}"
        return next((key for key in self.store.list(f"{BRONZE.prefix}/") if key.endswith(suffix)), None)

    def register(self, day: str) -> None:
        """Register the partition of day in the catalog, unless done already by this writer."""
        if self.registrar is not None and day not in self._registered:
            self.registrar.register(day)
            self._registered.add(day)

    def _written(self, key: str, day: str, lines: int, size: int) -> WrittenObject:
        logger.debug("wrote %s: %d lines, %d bytes", key, lines, size)
        self.register(day)
        return WrittenObject(key, lines, size)


def _day(ingest_dt: date | str | None, arrival: datetime) -> str:
    if ingest_dt is None:
        return arrival.astimezone(UTC).date().isoformat()
    return ingest_dt.isoformat() if isinstance(ingest_dt, date) else ingest_dt
