"""A Spark session on a local root, held for one command (the embedded metastore is one process)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pyspark.sql import SparkSession

from lakehouse.catalog import check_tables, ensure_tables
from lakehouse.runtime.local import local_spark, root_lock
from lakehouse.settings import Settings


@contextmanager
def lake_session(settings: Settings, app_name: str = "lakehouse") -> Iterator[SparkSession]:
    """Lock the root, start Spark on its metastore, create and check the tables, use the lake's database."""
    with root_lock(settings):
        spark = local_spark(settings, app_name)
        try:
            ensure_tables(spark, settings)
            check_tables(spark, settings)
            spark.catalog.setCurrentDatabase(settings.database)
            yield spark
        finally:
            spark.stop()
