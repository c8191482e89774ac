"""GH Archive backfill: hour files streamed to disk, checked whole, put into bronze byte for byte by the writer."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Literal

import requests
from requests.adapters import HTTPAdapter
from tqdm import tqdm
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.util.retry import Retry

from lakehouse.bronze_check import CorruptObject, check_object
from lakehouse.errors import UserError
from lakehouse.ingest.bronze_writer import BronzeWriter
from lakehouse.ingest.config import DEFAULT_ARCHIVE_URL
from lakehouse.layout import OBJECT_SUFFIX, partition_prefix
from lakehouse.storage import ObjectStore

logger = logging.getLogger(__name__)

FIRST_HOUR = datetime(2015, 1, 1, tzinfo=UTC)  # earlier hours use GH Archive's old timeline format
CHUNK_BYTES = 1024 * 1024
TIMEOUT = (5.0, 60.0)

HourStatus = Literal["written", "skipped", "missing", "failed"]


class BackfillError(UserError, ValueError):
    """The hours asked for cannot be backfilled (a user error); the message says why."""


@dataclass(frozen=True)
class HourResult:
    hour: datetime
    status: HourStatus
    lines: int = 0
    size: int = 0
    key: str | None = None
    detail: str = ""


def parse_hour(text: str) -> datetime:
    """`YYYY-MM-DDTHH` as an aware UTC datetime."""
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H").replace(tzinfo=UTC)
    except ValueError as e:
        raise BackfillError(f"{text!r} is not an hour: use YYYY-MM-DDTHH, e.g. 2015-01-01T15") from e


def hour_range(start: datetime, end: datetime) -> list[datetime]:
    """Every hour from start to end, both included; refuses hours GH Archive keeps in its old format."""
    if end < start:
        raise BackfillError(f"--to {end:%Y-%m-%dT%H} is before --from {start:%Y-%m-%dT%H}")
    if start < FIRST_HOUR:
        raise BackfillError(
            f"{start:%Y-%m-%dT%H} is before {FIRST_HOUR:%Y-%m-%dT%H}: GH Archive keeps those hours in its "
            "old timeline format, which is not one GitHub event per line"
        )
    count = int((end - start).total_seconds() // 3600) + 1
    return [start + timedelta(hours=n) for n in range(count)]


def hour_label(hour: datetime) -> str:
    """`2015-01-01-15`: GH Archive's name of an hour (hour without a leading zero)."""
    return f"{hour:%Y-%m-%d}-{hour.hour}"


def hour_unique(hour: datetime) -> str:
    """The unique part of the bronze object name of an archived hour."""
    return f"gharchive-{hour_label(hour)}"


def archive_session(retries: int = 3, backoff_factor: float = 1.0) -> requests.Session:
    """A Session that retries 5xx and connection errors with backoff and jitter."""
    retry = Retry(total=retries, allowed_methods=frozenset({"GET"}), status_forcelist=(500, 502, 503, 504),
                  backoff_factor=backoff_factor, backoff_jitter=backoff_factor, raise_on_status=False)
    session = requests.Session()
    session.mount("https://", HTTPAdapter(max_retries=retry))
    session.mount("http://", HTTPAdapter(max_retries=retry))
    return session


@dataclass
class Backfill:
    """Loads GH Archive hours into bronze, skipping those already there."""

    session: requests.Session
    store: ObjectStore
    writer: BronzeWriter
    base_url: str = DEFAULT_ARCHIVE_URL
    tmp_dir: Path | None = None
    _names: dict[str, set[str]] = field(default_factory=dict)

    def run(self, hours: Iterable[datetime], progress: IO[str] | None) -> list[HourResult]:
        """Backfill each hour in turn, with a progress bar on `progress` (None: no bar)."""
        hours = list(hours)
        results: list[HourResult] = []
        with tqdm(total=len(hours), unit="hour", desc="gharchive", file=progress,
                  disable=progress is None) as bar:
            for hour in hours:
                result = self.hour(hour)
                results.append(result)
                if result.status in ("missing", "failed") and progress is not None:
                    bar.write(f"{hour_label(hour)}: {result.status}: {result.detail}", file=progress)
                bar.set_postfix_str(f"{hour_label(hour)} {result.status}")
                bar.update(1)
        return results

    def hour(self, hour: datetime) -> HourResult:
        """Download one hour to a temporary file, check it, move it into bronze."""
        day, unique = hour.date().isoformat(), hour_unique(hour)
        existing = self._existing(day, unique)
        if existing:
            return HourResult(hour, "skipped", key=existing, detail="already in bronze")
        url = f"{self.base_url.rstrip('/')}/{hour_label(hour)}.json.gz"
        with tempfile.TemporaryDirectory(dir=self.tmp_dir, prefix="gharchive-") as tmp:
            path = Path(tmp) / f"{hour_label(hour)}.json.gz"
            try:
                status, size = self._download(url, path)
                if status == 404:
                    logger.debug("%s: not in the archive (404)", url)  # reported in the result
                    return HourResult(hour, "missing", detail=f"{url}: 404 Not Found")
                if status != 200:
                    return HourResult(hour, "failed", detail=f"{url}: HTTP {status}")
                lines = check_object(path).lines  # read whole: a truncated download never reaches bronze
            except CorruptObject as e:
                logger.debug("%s: %s", url, e)  # reported in the result
                return HourResult(hour, "failed", detail=f"{url}: {path.name} is not a complete gzip file: "
                                  f"{e.__cause__ or e}")
            except (requests.RequestException, Urllib3Error) as e:
                logger.debug("%s: %s", url, e)  # reported in the result
                return HourResult(hour, "failed", detail=f"{url}: {e}")
            # Named by the hour itself: its arrival in bronze is its place in the archive's order.
            written = self.writer.write_gzip_file(path, hour, unique, lines)
        self._names.setdefault(day, set()).add(written.key.rsplit("/", 1)[1])
        logger.debug("%s: %d lines, %d bytes -> %s", url, lines, size, written.key)
        return HourResult(hour, "written", lines=lines, size=size, key=written.key)

    def _download(self, url: str, path: Path) -> tuple[int, int]:
        """Stream url into path (bytes as sent: no content decoding); (HTTP status, bytes written)."""
        size = 0
        with self.session.get(url, stream=True, timeout=TIMEOUT) as response:
            if response.status_code != 200:
                return response.status_code, 0
            with open(path, "wb") as out:
                for chunk in response.raw.stream(CHUNK_BYTES, decode_content=False):
                    out.write(chunk)
                    size += len(chunk)
        return 200, size

    def _existing(self, day: str, unique: str) -> str | None:
        """The key of the bronze object of this hour, if one exists (listed once per day)."""
        if day not in self._names:
            self._names[day] = {key.rsplit("/", 1)[1] for key in self.store.list(partition_prefix(day) + "/")}
        suffix = f"-{unique}{OBJECT_SUFFIX}"
        found = sorted(name for name in self._names[day] if name.endswith(suffix))
        return f"{partition_prefix(day)}/{found[0]}" if found else None
