"""`lakehouse status [--json]`: per table rows, partitions and newest partition; bookmarks; last runs.

JSON keys: `root`, `database`; `tables`: {name: {`rows`, `partitions` (null when unpartitioned),
`newest_partition` (e.g. `ingest_dt=2015-01-01`, or null), `location`}}; `bookmarks`: {job: {source:
files processed}}; `last_runs`: the 5 latest rows of github_events_runs, newest first;
`silver_partitions`: per silver partition (`year=YYYY/month=MM`), the run that last derived rows into it
(`derived_at`, `job`, `run_id`, `code_version`; null version for runs before versions were recorded).
"""

from __future__ import annotations

import functools
import json

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from lakehouse.bookmarks import Bookmark, BookmarkOption
from lakehouse.catalog import qualified
from lakehouse.commands.query import plain, print_table, records
from lakehouse.runtime.local import bookmark_path, lake_session
from lakehouse.settings import Settings
from lakehouse.tables import JOBS, RUNS, SILVER_INDEX, TABLES, Table

LAST_RUNS = 5


def row_counts(spark: SparkSession, settings: Settings) -> dict[str, int]:
    """Rows per table, in one Spark job (a job per table cost about half a second each in a fresh process)."""
    names = [spark.table(qualified(settings, t)).select(F.lit(t.name).alias("table")) for t in TABLES]
    counted = functools.reduce(DataFrame.unionAll, names).groupBy("table").count().collect()  # a row per table
    found = {row["table"]: row["count"] for row in counted}
    return {t.name: found.get(t.name, 0) for t in TABLES}


def table_status(spark: SparkSession, settings: Settings, table: Table, rows: int) -> dict[str, object]:
    partitions = None
    newest = None
    if table.partition_keys:
        values = sorted(row[0] for row in spark.sql(f"SHOW PARTITIONS {qualified(settings, table)}").collect())
        partitions = len(values)
        newest = values[-1] if values else None
    return {
        "rows": rows,
        "partitions": partitions,
        "newest_partition": newest,
        "location": table.location(settings),
    }


def derived(spark: SparkSession, settings: Settings) -> list[dict[str, object]]:
    """When, by which job and version of the code, each silver partition was last derived (index joined to runs).

    The silver index names every run that wrote rows of a day into a partition; compaction only moves
    rows, so it is not a derivation and writes no index row.
    """
    index = spark.table(qualified(settings, SILVER_INDEX)).select("run_id", "year", "month").distinct()
    runs = spark.table(qualified(settings, RUNS)).select("run_id", "job", "finished_at", "code_version")
    last = F.max_by(F.struct("finished_at", "job", "run_id", "code_version"), "finished_at").alias("last")
    per_partition = index.join(runs, on="run_id", how="inner").groupBy("year", "month").agg(last)
    rows = per_partition.orderBy("year", "month").collect()  # one row per partition: a small aggregate
    return [
        {"partition": f"year={r['year']}/month={r['month']}", "derived_at": plain(r["last"]["finished_at"]),
         "job": r["last"]["job"], "run_id": r["last"]["run_id"], "code_version": r["last"]["code_version"]}
        for r in rows
    ]


def collect_status(spark: SparkSession, settings: Settings) -> dict[str, object]:
    rows = row_counts(spark, settings)
    runs = spark.table(qualified(settings, RUNS)).orderBy(F.col("started_at").desc()).limit(LAST_RUNS)
    return {
        "root": settings.root,
        "database": settings.database,
        "tables": {t.name: table_status(spark, settings, t, rows[t.name]) for t in TABLES},
        "bookmarks": {
            job: Bookmark.load(bookmark_path(settings, job), BookmarkOption.ENABLE).summary() for job in JOBS
        },
        "last_runs": list(records(runs)),
        "silver_partitions": derived(spark, settings),
    }


def status(settings: Settings, as_json: bool) -> int:
    with lake_session(settings) as spark:
        state = collect_status(spark, settings)
    if as_json:
        print(json.dumps(state, ensure_ascii=False, default=str))
        return 0
    print(f"lake at {state['root']} (database {state['database']})\n")
    tables = state["tables"]
    assert isinstance(tables, dict)
    rows = [{"table": name, **{k: v for k, v in info.items() if k != "location"}} for name, info in tables.items()]
    print_table(["table", "rows", "partitions", "newest_partition"], rows)
    print("\nbookmarks:")
    for job, sources in state["bookmarks"].items():  # type: ignore[attr-defined]
        print(f"  {job}: " + (", ".join(f"{s} {n} file(s)" for s, n in sources.items()) or "none"))
    print("\nlast runs:")
    last = state["last_runs"]
    assert isinstance(last, list)
    if last:
        print_table(["run_id", "status", "lines_read", "silver_rows", "quarantined", "duplicates", "gold_days"], last)
    print("\nsilver partitions, last derived:")
    partitions = state["silver_partitions"]
    assert isinstance(partitions, list)
    if partitions:
        print_table(["partition", "derived_at", "job", "code_version"], partitions)
    return 0
