"""The jobs a user would write instead, and the least a silver job must do: `python -m bench.baselines KIND IN OUT`.

- `naive`: what most tutorials write: `spark.read.json` with schema inference, select, partitioned Parquet.
- `floor`: the least any bronze→silver job must do: read with the explicit minimal schema and write the
  silver columns; no validation, dedup or quarantine.
- `dedup`, `metastore`: the floor plus, one on top of the other, the cheapest form we know of what
  DESIGN.md asks of every silver run: what a target relative to the floor leaves room for.
  - `dedup`: one row per event id (`dropDuplicates`: any copy, with no ids held in silver to check);
  - `metastore`: and the local catalog opened, the embedded Hive metastore of a lake at `ROOT` (one
    `CREATE DATABASE IF NOT EXISTS`), with the local runtime's settings: `... metastore IN OUT ROOT`.
"""

from __future__ import annotations

import os
import sys

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from lakehouse.functions import ingest_dt_of, month_of, parse_timestamp, pr_merged, year_of
from lakehouse.runtime.local import engine_config, local_spark
from lakehouse.schemas import EVENT_SCHEMA
from lakehouse.settings import Settings
from lakehouse.tables import SILVER

BOUNDS = ("dedup", "metastore")
KINDS = ("naive", "floor", *BOUNDS)
WITH_METASTORE = ("metastore",)


def session() -> SparkSession:
    """The local runtime's engine settings, without the metastore."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = SparkSession.builder.master("local[*]").appName("bench-baseline")
    for key, value in engine_config().items():
        builder = builder.config(key, value)
    if jvm_options := os.environ.get("LAKEHOUSE_JVM_OPTS"):  # as the local runtime passes them (bench.timing)
        builder = builder.config("spark.driver.extraJavaOptions", jvm_options)
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
        F.col("payload.action").cast("string").alias("action"),
        # as text: schema inference (`naive`) reads `merged` as a boolean, the explicit schema as its JSON text
        pr_merged(F.col("type"), F.col("payload.pull_request.merged").cast("string")).alias("pr_merged"),
        year_of(created_at).alias("year"),
        month_of(created_at).alias("month"),
    )


def bronze_to_silver(spark: SparkSession, kind: str, source: str, target: str) -> None:
    reader = spark.read if kind == "naive" else spark.read.schema(EVENT_SCHEMA)
    events = reader.json(f"{source}/*/*.json.gz")
    rows = silver_columns(events).select(*SILVER.column_names)
    if kind in BOUNDS:
        rows = rows.dropDuplicates(["event_id"])
    rows.write.partitionBy(*SILVER.partition_keys).parquet(target)  # a new folder: no overwrite to pay for


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in KINDS or len(argv) != 3 + (argv[0] in WITH_METASTORE):
        raise SystemExit(f"usage: python -m bench.baselines {{{','.join(KINDS)}}} IN OUT [ROOT, for metastore]")
    kind, source, target, *root = argv
    if root:
        lake = Settings.local(root[0])
        spark = local_spark(lake)
        spark.sql(f"CREATE DATABASE IF NOT EXISTS `{lake.database}`")
    else:
        spark = session()
    try:
        bronze_to_silver(spark, kind, source, target)
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
