"""silver_to_gold: recompute, completely, every ingest day that new silver rows touched, in every gold table."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, timedelta

from pyspark.sql import Observation
from pyspark.sql import functions as F

from lakehouse.functions import in_months
from lakehouse.jobs.run_record import RunReport
from lakehouse.lake import Lake
from lakehouse.marts import TRENDING_REACH, activity_hourly, repo_daily, trending_daily, trending_days
from lakehouse.runtime.base import Runtime
from lakehouse.tables import ACTIVITY_HOURLY, GOLD_DAILY, REPO_DAILY, SILVER, SILVER_INDEX, TRENDING_DAILY
from lakehouse.transforms import gold_daily

# The silver columns the gold tables count: the rest of a silver row is not read.
GOLD_INPUT = ("ingest_dt", "event_type", "repo_name", "actor_login", "event_date", "created_at", "action", "pr_merged")


def silver_to_gold(runtime: Runtime, report: RunReport) -> RunReport:
    """Overwrite the gold partitions of the touched days from all silver rows of those days.

    The silver index's partitions say which year/month partitions hold rows of each day (one catalog
    listing, no file read), so only those are read; dynamic partition overwrite replaces exactly
    the recomputed days, which are then registered. Trending is recomputed for the touched days and the
    later ingest days whose windows cover them.
    """
    lake = runtime.lake
    days = runtime.new_silver_index_days()
    if days:
        index = lake.partitions(SILVER_INDEX)
        wanted = set(days)
        touched = [p for p in index if p["ingest_dt"] in wanted]
        months = {(p["year"], p["month"]) for p in touched}
        _per_day_tables(lake, days, months, sorted({p["ingest_dt"] for p in touched}))
        _trending(lake, trending_days(days, {p["ingest_dt"] for p in index}))
        report.input_objects = len(months)
    report.gold_days = len(days)
    report.days = days
    return report


def _per_day_tables(lake: Lake, days: Sequence[str], months: set[tuple[str, str]], with_rows: Sequence[str]) -> None:
    """gold_daily, repo_daily and activity_hourly of `days`, each one aggregation of their silver rows.

    Each aggregates before its shuffle (Spark's partial aggregation), so counts cross it rather than
    silver rows, and Spark spills what does not fit; its rows are then gathered by day, so that a day's
    rows meet in one task, which writes the day's one file. A day has silver rows, so gold rows, exactly
    when it has index partitions.
    """
    silver = lake.read(SILVER, in_months(months) & F.col("ingest_dt").isin(list(days))).select(*GOLD_INPUT)
    for table, rows in (
        (GOLD_DAILY, gold_daily(silver)),
        (REPO_DAILY, repo_daily(silver)),
        (ACTIVITY_HOURLY, activity_hourly(silver)),
    ):
        lake.overwrite(table, rows.repartition("ingest_dt"), ({"ingest_dt": day} for day in with_rows))


def _trending(lake: Lake, days: Sequence[str]) -> None:
    """Trending of `days` from repo_daily of the 55 days before each; the days with rows are registered."""
    first = (date.fromisoformat(days[0]) - timedelta(TRENDING_REACH)).isoformat()
    repo_days = lake.read(REPO_DAILY, F.col("ingest_dt").between(first, days[-1]))
    written = Observation("trending days")
    days_written = F.concat_ws(",", F.collect_set("ingest_dt")).alias("days")
    rows = trending_daily(repo_days, days).observe(written, days_written)
    lake.overwrite(TRENDING_DAILY, rows, _written_days(written))


def _written_days(written: Observation) -> Iterator[dict[str, str]]:
    """The partitions a write produced, read from its observation when the write is done (lazily).

    The days come as one comma-separated string: an observed array reaches Python as a bare Java object.
    """
    yield from ({"ingest_dt": day} for day in str(written.get["days"]).split(",") if day)
