"""silver_to_gold: recompute, completely, every ingest day that new silver rows touched."""

from __future__ import annotations

from pyspark.sql import functions as F

from lakehouse.functions import in_months
from lakehouse.jobs.run_record import RunReport
from lakehouse.runtime.base import Runtime
from lakehouse.tables import GOLD_DAILY, SILVER, SILVER_INDEX
from lakehouse.transforms import gold_daily


def silver_to_gold(runtime: Runtime, report: RunReport) -> RunReport:
    """Overwrite the gold partitions of the touched days from all silver rows of those days.

    The silver index's partitions say which year/month partitions hold rows of each day (a catalog
    lookup per day, no file read), so only those are read; dynamic partition overwrite replaces exactly
    the recomputed days, which are then registered.
    """
    lake = runtime.lake
    days = runtime.new_silver_index_days()
    if days:
        lake.prepare()
        index = [p for day in days for p in lake.partitions(SILVER_INDEX, ingest_dt=day)]
        months = {(p["year"], p["month"]) for p in index}
        silver = lake.read(SILVER, in_months(months) & F.col("ingest_dt").isin(days))
        # One shuffle, by day: a day's rows meet in one task, which counts them and writes the day's one file.
        gold = gold_daily(silver.repartition("ingest_dt"))
        # A day has silver rows, so gold rows, exactly when it has index partitions: register just those.
        lake.overwrite(GOLD_DAILY, gold, ({"ingest_dt": day} for day in {p["ingest_dt"] for p in index}))
        report.input_objects = len(months)
    report.gold_days = len(days)
    report.days = days
    return report
