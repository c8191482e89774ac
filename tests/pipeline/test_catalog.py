"""The catalog side of a run: tables made by an earlier version are named, not half-used."""

from __future__ import annotations

from dataclasses import replace

import pytest
from pyspark.sql import SparkSession

from lakehouse.catalog import TableMismatch, check_tables, create_table_sql, ensure_tables
from lakehouse.settings import Settings
from lakehouse.tables import SILVER_INDEX, Column


def test_a_table_with_other_partition_keys_stops_the_run_with_one_line(spark: SparkSession, lake: Settings) -> None:
    earlier = replace(
        SILVER_INDEX,
        columns=(Column("year", "string"), Column("month", "string"), *SILVER_INDEX.columns),
        partition_keys=("ingest_dt",),
    )
    spark.sql(f"CREATE DATABASE IF NOT EXISTS `{lake.database}`")
    spark.sql(create_table_sql(lake, earlier))
    ensure_tables(spark, lake)  # creates the others, leaves it as it is
    with pytest.raises(TableMismatch) as raised:
        check_tables(spark, lake)
    assert str(raised.value) == (
        f"`{lake.database}`.`github_events_silver_index` is partitioned by (ingest_dt), this version of lakehouse "
        "by (ingest_dt, year, month): it was made by an earlier version. Rebuild the lake from bronze: copy its "
        "raw bucket into a new root and run the jobs there"
    )
