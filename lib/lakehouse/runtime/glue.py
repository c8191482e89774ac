"""The AWS Glue runtime: GlueContext, Job, native job bookmarks, the Glue Data Catalog.

Imported only when a job runs on Glue; type-checked against the awsglue package
(AWSGlueDataplanePython 5.1.0). It needs the Glue ETL jar, which exists only on AWS Glue and in the
Glue Docker images, so the tests cannot run it: keep it this small.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from py4j.protocol import Py4JError
from pyspark.context import SparkContext
from pyspark.errors import PySparkException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from lakehouse.functions import ingest_dt_of
from lakehouse.lake import Lake
from lakehouse.runtime.base import SESSION_CONF
from lakehouse.settings import Settings
from lakehouse.tables import BRONZE, RUNS, SILVER_INDEX, SILVER_JOB, Table

if TYPE_CHECKING:
    from awsglue.context import GlueContext
    from awsglue.job import Job

log = logging.getLogger(__name__)
# How far before the last successful run an object may have been written and still be new to the
# bookmark: Glue's S3 bookmarks select objects by modification time, with a margin of their own.
LOOKBACK = timedelta(hours=1)

# A byte that no valid JSON line holds unescaped (RFC 8259 escapes all control characters): the CSV
# reader splits at it, so a valid line stays one column; an invalid one is joined back below.
_SEPARATOR = "\u0001"


@dataclass
class GlueRuntime:
    spark: SparkSession
    settings: Settings
    job: str
    glue_context: GlueContext
    glue_job: Job
    lake: Lake

    @classmethod
    def create(cls, settings: Settings, job: str, job_name: str, options: Mapping[str, Any]) -> GlueRuntime:
        from awsglue.context import GlueContext
        from awsglue.job import Job

        glue_context = GlueContext(SparkContext.getOrCreate())
        spark = glue_context.spark_session
        for key, value in SESSION_CONF.items():
            spark.conf.set(key, value)
        spark.sql("SET hive.exec.dynamic.partition=true")
        spark.sql("SET hive.exec.dynamic.partition.mode=nonstrict")
        glue_job = Job(glue_context)
        glue_job.init(job_name, dict(options))
        return cls(spark, settings, job, glue_context, glue_job, Lake(spark, settings))

    def read_new_bronze(self, skip: Collection[str] = ()) -> DataFrame | None:
        """Raw lines of new bronze objects, with each line's object name, through a Glue bookmark.

        The text-like reader is CSV with quoting off (`quoteChar: -1`) and no header: each line comes
        back whole as `col0` (docs: aws-glue-programming-etl-format-csv-home, "CSV configuration
        reference"). `skip` becomes the reader's `exclusions` (a JSON list of glob patterns, docs:
        aws-glue-programming-etl-connect-s3-home), so a corrupt object is left out of the bookmarked read.
        """
        csv = {"separator": _SEPARATOR, "quoteChar": -1, "withHeader": False}
        excluded = {"exclusions": json.dumps([f"**/{name.rsplit('/', 1)[-1]}" for name in skip])} if skip else {}
        df = self._new_files(BRONZE, "bronze_lines", "source_object", "csv", csv, groupFiles="inPartition",
                             **excluded)
        if not df.columns:  # no new objects
            return None
        parts = [F.col(c).cast("string") for c in df.columns if c != "source_object"]
        return df.select(F.concat_ws(_SEPARATOR, *parts).alias("value"), F.col("source_object"))

    def read_bronze_objects(self, names: Collection[str]) -> DataFrame:
        """A plain Spark text read of the named S3 objects (the bookmarked read names them by their URIs)."""
        return self.spark.read.text(sorted(names)).select("value", F.input_file_name().alias("source_object"))

    def find_unreadable(self) -> list[str]:
        """Bronze objects written since shortly before the last successful run that Spark cannot read whole.

        The bookmark does not say which objects it would hand out, so the candidates are those its
        modification-time rule can select; each is read alone, to its end, by Hadoop's gzip reader.
        """
        succeeded = self.lake.read(RUNS).where((F.col("job") == SILVER_JOB) & (F.col("status") == "succeeded"))
        since = succeeded.agg(F.max("started_at")).first()[0]  # type: ignore[index]
        listing = self.spark.read.format("binaryFile").option("recursiveFileLookup", "true")
        objects = listing.load(BRONZE.location(self.settings)).select("path", "modificationTime")
        if since is not None:
            objects = objects.where(F.col("modificationTime") >= F.lit(since - LOOKBACK))
        corrupt = []
        for row in objects.select("path").collect():  # object names, not data
            try:
                self.spark.read.text(row["path"]).count()
            except (Py4JError, PySparkException):
                corrupt.append(row["path"])
        return corrupt

    def bronze_of_days(self, days: Collection[str]) -> list[str]:
        """Listed through Hadoop's FileSystem (S3 on Glue), day by day: no bookmark is involved."""
        found = (self.lake.data_files(BRONZE.partition_location(self.settings, {"ingest_dt": d})) for d in sorted(days))
        return [path for paths in found for path in paths]

    def read_bronze_of_days(self, days: Collection[str], skip: Collection[str] = ()) -> DataFrame | None:
        """A plain Spark text read of the days' objects (the bookmark is for new objects, not these)."""
        paths = [path for path in self.bronze_of_days(days) if path not in skip]
        if not paths:
            return None
        return self.spark.read.text(paths).select("value", F.input_file_name().alias("source_object"))

    def find_unreadable_of_days(self, days: Collection[str]) -> list[str]:
        corrupt = []
        for path in self.bronze_of_days(days):
            try:
                self.spark.read.text(path).count()
            except (Py4JError, PySparkException):
                corrupt.append(path)
        return corrupt

    def new_silver_index_days(self) -> list[str]:
        """From the new files' names: the day is in the path, not in the rows."""
        df = self._new_files(SILVER_INDEX, "silver_index", "index_file", "parquet")
        if "index_file" not in df.columns:  # no new index files
            return []
        days = df.select(ingest_dt_of(F.col("index_file")).alias("day")).distinct().collect()
        return sorted(row["day"] for row in days)

    def _new_files(
        self,
        table: Table,
        source: str,
        name_column: str,
        file_format: str,
        format_options: dict[str, Any] | None = None,
        **connection: str,
    ) -> DataFrame:
        """Rows of the table's files that this job's bookmark has not seen, each file's path in `name_column`.

        `attachFilename` adds the path (docs: aws-glue-programming-etl-connect-s3-home, "Amazon S3
        connection option reference"). The stable `transformation_ctx` is what the native bookmark
        keys on.
        """
        frame = self.glue_context.create_dynamic_frame.from_options(
            connection_type="s3",
            connection_options={
                "paths": [table.location(self.settings) + "/"],
                "recurse": True,
                "attachFilename": name_column,
                **connection,
            },
            format=file_format,
            format_options=format_options or {},
            transformation_ctx=f"{self.job}_{source}",
        )
        return frame.toDF()

    def commit(self) -> None:
        self.glue_job.commit()
