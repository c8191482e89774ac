"""`lakehouse demo`: load the bundled GH Archive sample, run silver and gold, show the lake, draw its dashboard."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from lakehouse.bookmarks import BookmarkOption
from lakehouse.catalog import qualified
from lakehouse.commands.dashboard import LOCAL_PAGE, page_of_session, write_page
from lakehouse.commands.query import print_table, records
from lakehouse.commands.run import describe
from lakehouse.dashboard.questions import DEFAULT_DAYS
from lakehouse.errors import UserError
from lakehouse.ingest.files import ingest_file
from lakehouse.jobs.runner import run_job
from lakehouse.layout import utc_now
from lakehouse.runtime.local import LocalRuntime, lake_session
from lakehouse.settings import Settings
from lakehouse.tables import BRONZE, GOLD_DAILY, GOLD_JOB, MARTS, QUARANTINE, SILVER, SILVER_JOB, TRENDING_DAILY, Table

log = logging.getLogger("lakehouse")

DATA = Path(__file__).resolve().parents[3] / "data" / "github-events"
# Real GH Archive extracts of one day: a whole hour (7,702 events) and the first 1,024 of another; and
# 4 events of 2012 in GH Archive's old timeline format, which silver quarantines (`actor` is a string).
SAMPLES = (
    DATA / "gharchive" / "2015-01-01-0.json.gz",
    DATA / "gharchive" / "2015-01-01-15.first1024.json.gz",
    DATA / "schema-drift" / "gharchive-2012-08-26-oldschema.json.gz",
)
SAMPLE_DAY = date(2015, 1, 1)


def _load(settings: Settings, samples: list[Path]) -> None:
    now = utc_now()
    for path in samples:
        if not path.is_file():
            raise UserError(f"sample {path} not found: run the demo from a checkout, or pass --sample FILE")
        result = ingest_file(path, Path(settings.uri("raw")), SAMPLE_DAY, now)
        verb = "already in bronze" if result.skipped else "ingested"
        log.info("%s: %s (%d lines) -> %s", verb, path.name, result.lines, result.key)


def _count(spark: SparkSession, settings: Settings, table: Table) -> int:
    return spark.table(qualified(settings, table)).count()


def _print_top(gold: DataFrame, column: str) -> None:
    """The five values of `column` with the most events in gold, most first."""
    top = gold.groupBy(column).agg(F.sum("events_count").alias("events")).orderBy(F.desc("events"), column)
    print_table([column, "events"], list(records(top.limit(5))))


def show_lake(spark: SparkSession, settings: Settings) -> None:
    """Rows per layer, quarantine by reason, the day's top event types and repositories, where and how."""
    print("\nrows per layer")
    layers = [(t.name, _count(spark, settings, t)) for t in (BRONZE, SILVER, QUARANTINE, GOLD_DAILY, *MARTS)]
    print_table(["table", "rows"], [{"table": n, "rows": c} for n, c in layers])
    print("\nquarantined lines by reason")
    reasons = spark.table(qualified(settings, QUARANTINE)).groupBy("reason").count().orderBy(F.desc("count"))
    print_table(["reason", "count"], list(records(reasons)))
    gold = spark.table(qualified(settings, GOLD_DAILY)).where(F.col("ingest_dt") == SAMPLE_DAY.isoformat())
    print(f"\ntop event types on {SAMPLE_DAY}")
    _print_top(gold, "event_type")
    print(f"\ntop repositories on {SAMPLE_DAY}")
    _print_top(gold, "repo_name")
    print(f"\ntrending on {SAMPLE_DAY} (stars over the last 7 ingest days)")
    trending = spark.table(qualified(settings, TRENDING_DAILY)).where(F.col("ingest_dt") == SAMPLE_DAY.isoformat())
    columns = ["rank_7d", "repo_name", "stars_7d"]
    print_table(columns, list(records(trending.where(F.col("rank_7d") <= 5).select(*columns).orderBy("rank_7d"))))
    print(f"\nthe lake lives in {settings.root}: buckets are folders ({settings.uri('raw')}, ...)")
    print("query it with SQL, for example:")
    print(
        f'  lakehouse --root {settings.root} query "SELECT event_type, SUM(events_count) AS n '
        f'FROM {GOLD_DAILY.name} GROUP BY event_type ORDER BY n DESC"'
    )
    print(f"  lakehouse --root {settings.root} status")


def demo(settings: Settings, samples: list[Path] | None) -> int:
    _load(settings, samples or list(SAMPLES))
    with lake_session(settings) as spark:
        for job in (SILVER_JOB, GOLD_JOB):
            report = run_job(LocalRuntime.create(spark, settings, job, BookmarkOption.ENABLE))
            print(describe(report))
        show_lake(spark, settings)
        page = page_of_session(spark, settings, DEFAULT_DAYS)
    print()
    write_page(page, Path(str(settings.root)) / LOCAL_PAGE)
    return 0
