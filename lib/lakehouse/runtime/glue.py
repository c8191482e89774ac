"""The AWS Glue runtime: GlueContext, Job, native job bookmarks, the Glue Data Catalog.

Imported only when a job runs on Glue; type-checked against the awsglue package
(AWSGlueDataplanePython 5.1.0). It needs the Glue ETL jar, which exists only on AWS Glue and in the
Glue Docker images, so the tests cannot run it: keep it this small.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pyspark.context import SparkContext
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from lakehouse.functions import ingest_dt_of
from lakehouse.runtime.base import SESSION_CONF, BronzeInput
from lakehouse.settings import Settings
from lakehouse.tables import BRONZE, SILVER_INDEX

if TYPE_CHECKING:
    from awsglue.context import GlueContext
    from awsglue.job import Job

    from lakehouse.jobs.entry import JobArgs

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

    @classmethod
    def create(cls, settings: Settings, job: str, args: JobArgs) -> GlueRuntime:
        from awsglue.context import GlueContext
        from awsglue.job import Job

        glue_context = GlueContext(SparkContext.getOrCreate())
        spark = glue_context.spark_session
        for key, value in SESSION_CONF.items():
            spark.conf.set(key, value)
        spark.sql("SET hive.exec.dynamic.partition=true")
        spark.sql("SET hive.exec.dynamic.partition.mode=nonstrict")
        glue_job = Job(glue_context)
        glue_job.init(args.job_name, dict(args.resolved))
        return cls(spark, settings, job, glue_context, glue_job)

    def read_new_bronze(self) -> BronzeInput:
        """Raw lines of new bronze objects, with each line's object name, through a Glue bookmark.

        The text-like reader is CSV with quoting off (`quoteChar: -1`) and no header: each line comes
        back whole as `col0` (docs: aws-glue-programming-etl-format-csv-home, "CSV configuration
        reference"). `attachFilename` adds the object's name as a column (docs:
        aws-glue-programming-etl-connect-s3-home, "Amazon S3 connection option reference"). The
        stable `transformation_ctx` is what the native bookmark keys on.
        """
        frame = self.glue_context.create_dynamic_frame.from_options(
            connection_type="s3",
            connection_options={
                "paths": [BRONZE.location(self.settings) + "/"],
                "recurse": True,
                "attachFilename": "source_object",
                "groupFiles": "inPartition",
            },
            format="csv",
            format_options={"separator": _SEPARATOR, "quoteChar": -1, "withHeader": False},
            transformation_ctx=f"{self.job}_bronze_lines",
        )
        df = frame.toDF()
        if not df.columns:  # no new objects
            return BronzeInput(self.spark.createDataFrame([], "value string, source_object string"), (), {})
        parts = [F.col(c).cast("string") for c in df.columns if c != "source_object"]
        lines = df.select(F.concat_ws(_SEPARATOR, *parts).alias("value"), F.col("source_object"))
        # Glue's reader gives no per-object line count before reading, so there is nothing to reconcile.
        return BronzeInput(lines, (), {})

    def new_silver_index_days(self) -> list[str]:
        """From the new files' names (`attachFilename`): the day is in the path, not in the rows."""
        frame = self.glue_context.create_dynamic_frame.from_options(
            connection_type="s3",
            connection_options={
                "paths": [SILVER_INDEX.location(self.settings) + "/"],
                "recurse": True,
                "attachFilename": "index_file",
            },
            format="parquet",
            transformation_ctx=f"{self.job}_silver_index",
        )
        df = frame.toDF()
        if "index_file" not in df.columns:  # no new index files
            return []
        days = df.select(ingest_dt_of(F.col("index_file")).alias("day")).distinct().collect()
        return sorted(row["day"] for row in days)

    def commit(self) -> None:
        self.glue_job.commit()
