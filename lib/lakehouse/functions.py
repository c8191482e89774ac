"""Column functions (Column -> Column) used by the transforms."""

from __future__ import annotations

from pyspark.sql import Column
from pyspark.sql import functions as F

from lakehouse.layout import INGEST_DT_FOLDER

# GitHub writes ISO 8601 date-times: `2015-01-01T15:00:00Z`, `...T00:00:00.00001Z`, `...T01:00:01-07:00`.
_ISO_DATE_TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$"


def parse_timestamp(text: Column) -> Column:
    """An ISO 8601 date-time with a zone or offset, as a UTC timestamp; null if it is anything else."""
    trimmed = F.trim(text)
    return F.when(F.regexp_like(trimmed, F.lit(_ISO_DATE_TIME)), trimmed.cast("timestamp"))


def ingest_dt_of(object_path: Column) -> Column:
    """The `ingest_dt=YYYY-MM-DD` partition value in a path (a bronze object, a silver index file)."""
    return F.regexp_extract(object_path, INGEST_DT_FOLDER, 1)


def year_of(ts: Column) -> Column:
    """`YYYY` of a timestamp (integer arithmetic: date_format builds a formatter per row)."""
    return F.lpad(F.year(ts).cast("string"), 4, "0")


def month_of(ts: Column) -> Column:
    """`MM` of a timestamp."""
    return F.lpad(F.month(ts).cast("string"), 2, "0")
