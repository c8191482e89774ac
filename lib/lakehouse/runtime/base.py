"""What a job needs from its runtime, the same on AWS Glue and locally."""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from pyspark.sql import DataFrame, SparkSession

from lakehouse.lake import Lake
from lakehouse.settings import Settings

__all__ = ["SESSION_CONF", "Runtime"]

# Spark SQL settings every runtime sets on its session.
SESSION_CONF = {
    "spark.sql.session.timeZone": "UTC",
    # Overwrite only the partitions written (gold's days), never the whole table.
    "spark.sql.sources.partitionOverwriteMode": "dynamic",
    # The silver job caches its batch for one run: parsing into a compressed cache took 3.95 s, into an
    # uncompressed one 2.93 s (300k events, 2 cores, warm JVM); it spills to disk when memory is short.
    "spark.sql.inMemoryColumnarStorage.compressed": "false",
}


class Runtime(Protocol):
    """One job run's Spark session, its lake, and its new input (behind bookmarks)."""

    spark: SparkSession
    settings: Settings
    job: str
    lake: Lake

    def read_new_bronze(self, skip: Collection[str] = ()) -> DataFrame | None:
        """Raw lines (`value`, `source_object`) of the bronze objects this job has not processed, less `skip`.

        None when there are none. Lazy: a corrupt object makes the first action on it fail.
        """
        ...

    def read_bronze_objects(self, names: Collection[str]) -> DataFrame:
        """Raw lines (`value`, `source_object`) of the given objects, named as `source_object` names them.

        No bookmark: for the objects of a batch that held bad lines, read again for quarantine.
        """
        ...

    def find_unreadable(self) -> list[str]:
        """The new bronze objects that cannot be read whole, named as `source_object` names them.

        Called only after a read of the new objects failed: it reads each of them to its end.
        """
        ...

    def bronze_of_days(self, days: Collection[str]) -> list[str]:
        """Every bronze object of the given ingest days, bookmarked or not, named as `source_object` names them."""
        ...

    def read_bronze_of_days(self, days: Collection[str], skip: Collection[str] = ()) -> DataFrame | None:
        """Raw lines (`value`, `source_object`) of every object of the given ingest days, less `skip`; no bookmark.

        For rebuilds: the same names and lines as `read_new_bronze` gave when the objects were new.
        """
        ...

    def find_unreadable_of_days(self, days: Collection[str]) -> list[str]:
        """The objects of the given ingest days that cannot be read whole (after a read of them failed)."""
        ...

    def new_silver_index_days(self) -> list[str]:
        """The ingest days of the silver index files this job has not processed yet, in order."""
        ...

    def commit(self) -> None:
        """Remember the input of this run (after every write succeeded)."""
        ...
