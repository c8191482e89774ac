"""The jobs a user would write instead, run as their own process: `python -m bench.baselines KIND IN OUT`.

- `naive`: what most tutorials write: `spark.read.json` with schema inference, select, partitioned Parquet.
- `floor`: the least any bronze→silver job must do: read with the explicit minimal schema and write the
  silver columns; no validation, dedup or quarantine.
- `gold`: the floor of silver→gold: read all of silver, count per day, type and repository, write.
"""

from __future__ import annotations

import os
import sys

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from lakehouse.functions import ingest_dt_of, month_of, parse_timestamp, year_of
from lakehouse.schemas import EVENT_SCHEMA
from lakehouse.tables import SILVER


def session() -> SparkSession:
    """The same engine settings as the local runtime, without the metastore."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = (
        SparkSession.builder.master("local[*]")
        .appName("bench-baseline")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "4g")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
    )
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def silver_columns(events: DataFrame) -> DataFrame:
    """The silver columns of parsed events (top-level fields as Spark read them)."""
    created_at = parse_timestamp(F.col("created_at"))
    return events.select(
        F.col("id").alias("event_id"),
        F.col("type").alias("event_type"),
        F.to_date(created_at).alias("event_date"),
        F.col("repo.name").alias("repo_name"),
        F.col("actor.login").alias("actor_login"),
        created_at.alias("created_at"),
        ingest_dt_of(F.input_file_name()).alias("ingest_dt"),
        F.col("repo.id").cast("bigint").alias("repo_id"),
        F.col("actor.id").cast("bigint").alias("actor_id"),
        F.col("org.login").alias("org_login"),
        F.col("public").alias("is_public"),
        year_of(created_at).alias("year"),
        month_of(created_at).alias("month"),
    )


def bronze_to_silver(spark: SparkSession, kind: str, source: str, target: str) -> None:
    reader = spark.read if kind == "naive" else spark.read.schema(EVENT_SCHEMA)
    events = reader.json(f"{source}/*/*.json.gz")
    rows = silver_columns(events).select(*SILVER.column_names)
    rows.write.mode("overwrite").partitionBy(*SILVER.partition_keys).parquet(target)


def silver_to_gold(spark: SparkSession, source: str, target: str) -> None:
    silver = spark.read.parquet(source)
    counts = silver.groupBy("ingest_dt", "event_type", "repo_name").agg(F.count(F.lit(1)).alias("events_count"))
    counts.repartition("ingest_dt").write.mode("overwrite").partitionBy("ingest_dt").parquet(target)


def main(argv: list[str]) -> int:
    kind, source, target = argv
    spark = session()
    try:
        if kind == "gold":
            silver_to_gold(spark, source, target)
        else:
            bronze_to_silver(spark, kind, source, target)
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
