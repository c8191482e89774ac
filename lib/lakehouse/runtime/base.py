"""What a job needs from its runtime, the same on AWS Glue and locally."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from pyspark.sql import DataFrame, SparkSession

from lakehouse.errors import JobError
from lakehouse.settings import Settings

__all__ = ["SESSION_CONF", "BronzeInput", "JobError", "Runtime"]

# Spark SQL settings every runtime sets on its session.
SESSION_CONF = {
    "spark.sql.session.timeZone": "UTC",
    # Overwrite only the partitions written (gold's days), never the whole table.
    "spark.sql.sources.partitionOverwriteMode": "dynamic",
    # The silver job caches its batch for one run: parsing into a compressed cache took 3.95 s, into an
    # uncompressed one 2.93 s (300k events, 2 cores, warm JVM); it spills to disk when memory is short.
    "spark.sql.inMemoryColumnarStorage.compressed": "false",
}


@dataclass(frozen=True)
class BronzeInput:
    """New bronze input: its raw lines (`value`, `source_object`) and the objects that could not be read.

    `line_counts` holds, per readable object, the lines counted while checking it (empty where the
    runtime cannot check objects before Spark reads them); the job reconciles them with what Spark read.
    `utf8` is true when every readable object was found to be UTF-8 while checking it: Spark then
    need not check each line again.
    """

    lines: DataFrame
    corrupt_objects: tuple[str, ...]
    line_counts: dict[str, int]
    utf8: bool = False


class Runtime(Protocol):
    """One job run's access to Spark, new input (behind bookmarks) and the catalog."""

    spark: SparkSession
    settings: Settings
    job: str

    def read_new_bronze(self) -> BronzeInput:
        """Raw lines of the bronze objects this job has not processed yet."""
        ...

    def new_silver_index_days(self) -> list[str]:
        """The ingest days of the silver index files this job has not processed yet, in order."""
        ...

    def commit(self) -> None:
        """Remember the input of this run (after every write succeeded)."""
        ...
