"""The AWS Glue runtime: GlueContext, Job, native job bookmarks, the Glue Data Catalog.

Imported only when a job runs on Glue; type-checked against the awsglue package
(AWSGlueDataplanePython 5.1.0). It needs the Glue ETL jar, which exists only on AWS Glue and in the
Glue Docker images, so the tests cannot run it: keep it this small.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pyspark.context import SparkContext
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from lakehouse.functions import ingest_dt_of
from lakehouse.runtime.base import SESSION_CONF, BronzeInput
from lakehouse.settings import Settings
from lakehouse.tables import BRONZE, SILVER_INDEX, Table

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
        reference").
        """
        csv = {"separator": _SEPARATOR, "quoteChar": -1, "withHeader": False}
        df = self._new_files(BRONZE, "bronze_lines", "source_object", "csv", csv, groupFiles="inPartition")
        if not df.columns:  # no new objects
            return BronzeInput(self.spark.createDataFrame([], "value string, source_object string"), (), {})
        parts = [F.col(c).cast("string") for c in df.columns if c != "source_object"]
        lines = df.select(F.concat_ws(_SEPARATOR, *parts).alias("value"), F.col("source_object"))
        # Glue's reader gives no per-object line count before reading, so there is nothing to reconcile.
        return BronzeInput(lines, (), {})

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
