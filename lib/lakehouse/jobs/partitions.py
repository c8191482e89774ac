"""Partition predicates that Spark pushes down to the catalog, so a job reads only what it needs."""

from __future__ import annotations

from collections.abc import Iterable

from pyspark.sql import Column
from pyspark.sql import functions as F


def partition_filter(months: Iterable[tuple[str, str]]) -> Column:
    """`(year = y1 AND month = m1) OR ...`: only these year/month partitions (none when empty)."""
    condition = F.lit(False)
    for year, month in sorted(set(months)):
        condition = condition | ((F.col("year") == year) & (F.col("month") == month))
    return condition
