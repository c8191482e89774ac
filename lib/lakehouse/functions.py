"""Column functions (Column -> Column) used by the transforms."""

from __future__ import annotations

from collections.abc import Iterable

from pyspark.sql import Column
from pyspark.sql import functions as F

from lakehouse.layout import INGEST_DT_FOLDER

# GitHub writes ISO 8601 date-times: `2015-01-01T15:00:00Z`, `...T00:00:00.00001Z`, `...T01:00:01-07:00`.
_ISO_DATE_TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$"


# What `is_blank` trims: JSON's whitespace, the other ASCII spaces, and Unicode's space separators and BOM.
_WHITESPACE = (
    " \t\n\r\f\v\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000\ufeff"
)


def is_blank(text: Column) -> Column:
    """True when a string is null, empty or only whitespace: a value that says nothing."""
    return text.isNull() | (F.btrim(text, F.lit(_WHITESPACE)) == F.lit(""))


def parse_timestamp(text: Column) -> Column:
    """An ISO 8601 date-time with a zone or offset, as a UTC timestamp; null if it is anything else."""
    trimmed = F.trim(text)
    return F.when(F.regexp_like(trimmed, F.lit(_ISO_DATE_TIME)), trimmed.cast("timestamp"))


def ingest_dt_of(object_path: Column) -> Column:
    """The `ingest_dt=YYYY-MM-DD` partition value in a path (a bronze object, a silver index file)."""
    return F.regexp_extract(object_path, INGEST_DT_FOLDER, 1)


# The event type whose payload says whether a closed pull request was merged.
PULL_REQUEST_EVENT = "PullRequestEvent"


def pr_merged(event_type: Column, merged_text: Column) -> Column:
    """A PullRequestEvent's `merged` (its JSON text) as a boolean; null where absent, odd, or another type.

    Payloads trimmed by GitHub in 2025 may not say: unknown stays null, never false.
    """
    merged = F.when(merged_text == F.lit("true"), F.lit(True)).when(merged_text == F.lit("false"), F.lit(False))
    return F.when(event_type == F.lit(PULL_REQUEST_EVENT), merged)


def year_of(ts: Column) -> Column:
    """`YYYY` of a timestamp (integer arithmetic: date_format builds a formatter per row)."""
    return F.lpad(F.year(ts).cast("string"), 4, "0")


def month_of(ts: Column) -> Column:
    """`MM` of a timestamp."""
    return F.lpad(F.month(ts).cast("string"), 2, "0")


def in_months(months: Iterable[tuple[str, str]]) -> Column:
    """`(year = y1 AND month = m1) OR ...`: only these year/month partitions (none when empty).

    Spark pushes it down to the catalog: only those partitions are listed and read.
    """
    condition = F.lit(False)
    for year, month in sorted(set(months)):
        condition = condition | ((F.col("year") == year) & (F.col("month") == month))
    return condition
