"""Bronze layout: object keys and names. Imports no pyspark (the Lambda uses it).

An object lives at `github/events/ingest_dt=YYYY-MM-DD/<name>` in the raw bucket. Its name begins
with the UTC arrival time, so name order is arrival order; the rest makes it unique.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from lakehouse.errors import UserError
from lakehouse.tables import BRONZE

OBJECT_SUFFIX = ".json.gz"
_ARRIVAL_FORMAT = "%Y%m%dT%H%M%SZ"
# The `ingest_dt=YYYY-MM-DD/` folder of any path partitioned by ingest day (bronze, the silver index).
INGEST_DT_FOLDER = r"ingest_dt=(\d{4}-\d{2}-\d{2})/"
_KEY_PATTERN = re.compile(INGEST_DT_FOLDER + r"([^/]+)$")
_UNIQUE_PART = re.compile(r"^[A-Za-z0-9._-]+$")


class LayoutError(UserError, ValueError):
    """A key or name does not follow the bronze layout."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def object_name(arrival: datetime, unique: str) -> str:
    """`YYYYMMDDTHHMMSSZ-<unique>.json.gz`, e.g. unique = request id and sequence, or a content hash."""
    if arrival.tzinfo is None:
        raise LayoutError("arrival time must be timezone-aware (UTC)")
    if not _UNIQUE_PART.match(unique):
        raise LayoutError(f"object name part {unique!r} may hold only letters, digits, '.', '_' and '-'")
    return f"{arrival.astimezone(UTC).strftime(_ARRIVAL_FORMAT)}-{unique}{OBJECT_SUFFIX}"


def partition_prefix(ingest_dt: date | str) -> str:
    """`github/events/ingest_dt=YYYY-MM-DD`: the key prefix of one bronze partition."""
    day = ingest_dt.isoformat() if isinstance(ingest_dt, date) else ingest_dt
    return f"{BRONZE.prefix}/ingest_dt={day}"


def object_key(ingest_dt: date | str, name: str) -> str:
    """The key of a bronze object in the raw bucket."""
    return f"{partition_prefix(ingest_dt)}/{name}"


def parse_key(key: str) -> tuple[str, str]:
    """(ingest_dt, object name) of a bronze key or path."""
    match = _KEY_PATTERN.search(key)
    if not match:
        raise LayoutError(f"{key!r} is not a bronze object key (…/ingest_dt=YYYY-MM-DD/<name>)")
    return match.group(1), match.group(2)


def ingest_dt_in(path: str) -> str:
    """The ingest day of a path below an `ingest_dt=YYYY-MM-DD/` folder (a silver index file's, say)."""
    match = re.search(INGEST_DT_FOLDER, path)
    if not match:
        raise LayoutError(f"{path!r} is not below an ingest_dt=YYYY-MM-DD folder")
    return match.group(1)
