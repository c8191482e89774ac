"""The lake's I/O: where each table is read and written, and what the catalog knows of its partitions.

One `Lake` per run, on the run's Spark session. Its statements are Spark SQL and its file operations
go through Hadoop's FileSystem, so the same object serves the local runtime (embedded metastore,
folders) and AWS Glue (the Glue Data Catalog, S3): the runtime differs in the session it passes in.
The jobs say what they read and write; qualified names, SQL and JVM calls live here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from pyspark.sql import Column, DataFrame, Observation, SparkSession
from pyspark.sql import functions as F

from lakehouse.catalog import (
    Held,
    add_partitions,
    described_location,
    ensure_tables,
    partition_clause,
    partition_values,
    qualified,
)
from lakehouse.schemas import table_schema, typed
from lakehouse.settings import Settings
from lakehouse.tables import QUARANTINE, SILVER, Table

log = logging.getLogger(__name__)

# The hidden folder of a table where a run writes the files it will move in (`_` hides it from listings).
STAGED = "_staged"

# Tables whose partitions may lie outside their folders in the layout: compaction and rebuilds move
# silver's, rebuilds and replays quarantine's. They are written with insertInto, which finds each
# partition's location in the catalog.
AT_MOVABLE_LOCATIONS = frozenset({SILVER.name, QUARANTINE.name})

Partition = Mapping[str, str]


def writes_by_path(table: Table) -> bool:
    """The rule behind `Lake.append`: a table whose partitions stay in the layout is written by path.

    insertInto first lists every partition of the table from the catalog (to find any at a custom
    location), a cost that grows with the table: a one-row insert took 0.2–0.3 s into a table of 10
    partitions and 1.5 s into one of 3,000 (embedded metastore). Writing the partitions' folders and
    registering what was written gives the same table without that listing.
    """
    return table.name not in AT_MOVABLE_LOCATIONS


class Lake:
    """Reads, appends, overwrites and registers the lake's tables; lists, moves and deletes their files.

    The catalog is made ready (tables created where missing, and `check` run) once, on first use or
    in the background from `prepare()`, so that a job can start reading bronze while it opens.
    """

    def __init__(
        self,
        spark: SparkSession,
        settings: Settings,
        check: Callable[[SparkSession, Settings, Mapping[str, Held]], None] | None = None,
    ) -> None:
        self.spark = spark
        self.settings = settings
        self._check = check
        self._catalog: Future[None] | None = None
        self._read: set[str] = set()  # tables this session has read (it keeps their listing of files)

    # The catalog

    def prepare(self) -> None:
        """Start making the catalog ready in the background (Spark runs concurrent jobs from threads)."""
        if self._catalog is None:
            pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lakehouse-catalog")
            self._catalog = pool.submit(self._make_ready)
            pool.shutdown(wait=False)

    def ready(self) -> None:
        """Wait until the catalog is ready (making it so now if nothing started it); raise what it raised."""
        self.prepare()
        assert self._catalog is not None
        self._catalog.result()

    def _make_ready(self) -> None:
        held = ensure_tables(self.spark, self.settings)
        if self._check is not None:
            self._check(self.spark, self.settings, held)

    def name(self, table: Table) -> str:
        return qualified(self.settings, table)

    def read(self, table: Table, where: Column | None = None) -> DataFrame:
        """A table's rows (only the partitions `where` selects, when it names partition keys)."""
        self.ready()
        self._read.add(table.name)
        rows = self.spark.table(self.name(table))
        return rows if where is None else rows.where(where)

    def partitions(self, table: Table, **spec: str) -> list[dict[str, str]]:
        """The registered partitions of a table, those matching `spec` (a prefix of its keys)."""
        self.ready()
        return partition_values(self.spark, self.settings, table, **spec)

    def register(self, table: Table, partitions: Iterable[Partition]) -> None:
        """Register partitions at their folders in the layout (idempotent)."""
        self.ready()
        add_partitions(self.spark, self.settings, table, partitions)

    def location(self, table: Table, spec: Partition) -> str:
        """Where the catalog says a partition's files are."""
        self.ready()
        described = self.spark.sql(f"DESCRIBE FORMATTED {self.name(table)} {partition_clause(spec)}").collect()
        return described_location(described)

    def move(self, table: Table, spec: Partition, location: str) -> None:
        """Point a partition at another folder: one catalog update, seen whole or not at all."""
        self.ready()
        self.spark.sql(f"ALTER TABLE {self.name(table)} {partition_clause(spec)} SET LOCATION '{location}'")

    def refresh(self, table: Table) -> None:
        """Forget this session's listing of a table's files (another write changed them)."""
        self.ready()
        self.spark.catalog.refreshTable(self.name(table))

    # Writes

    def append(self, table: Table, rows: DataFrame, partitions: Iterable[Partition] = ()) -> int:
        """Add rows to a table and register `partitions` (every one the rows fall in); the rows written."""
        counted = Observation(f"append {table.name}")
        observed = rows.observe(counted, F.count(F.lit(1)).alias("rows"))
        if writes_by_path(table):
            self._write(table, observed, partitions, overwrite=False)
        else:
            self.ready()
            observed.select(*table.column_names).write.insertInto(self.name(table))
        return int(counted.get["rows"])

    def overwrite(self, table: Table, rows: DataFrame, partitions: Iterable[Partition]) -> None:
        """Replace the partitions the rows fall in (dynamic overwrite: no other), and register them."""
        if not writes_by_path(table):
            raise ValueError(f"{table.name} is only ever appended to or moved partition by partition")
        self._write(table, rows, partitions, overwrite=True)

    def _write(self, table: Table, rows: DataFrame, partitions: Iterable[Partition], overwrite: bool) -> None:
        writer = typed(rows, table).write.partitionBy(*table.partition_keys)
        if overwrite:
            writer = writer.mode("overwrite").option("partitionOverwriteMode", "dynamic")
        else:
            writer = writer.mode("append")
        writer.parquet(table.location(self.settings))
        if table.partition_keys:
            self.register(table, partitions)
        elif table.name in self._read:  # this session keeps the listing of a table it read: refresh it
            self.refresh(table)

    # Staged appends: a run's files are written in the table's form beside it, then moved in

    def discard_staged(self, table: Table) -> None:
        """Remove every run's staged folder of a table (what an interrupted run left)."""
        self.delete(f"{table.location(self.settings)}/{STAGED}")

    def stage(self, table: Table, rows: DataFrame, run_id: str) -> str:
        """Write rows as the table's files (data columns in partition folders) into the run's staged folder."""
        location = f"{table.location(self.settings)}/{STAGED}/{run_id}"
        typed(rows, table).write.partitionBy(*table.partition_keys).mode("errorifexists").parquet(location)
        return location

    def read_staged(self, table: Table, location: str) -> DataFrame:
        """The staged rows, typed by the table's schema (partition keys from the folder names)."""
        return self.spark.read.schema(table_schema(table)).parquet(location)

    def publish(self, table: Table, location: str, partitions: Iterable[Partition]) -> None:
        """Move staged files into their partitions, registered first.

        A file lands where the catalog has its partition (compaction and rebuilds move partitions), or
        in the partition's folder in the layout, registered before any file moves. Each move is one
        rename (a copy and a delete on S3). A crash midway leaves some files moved, where readers see
        them, and the bookmark not committed: the next run reads the batch again, and its dedup finds
        the moved rows' ids held.
        """
        specs = [dict(p) for p in partitions]
        registered = {tuple(p.values()) for p in self.partitions(table)}
        self.register(table, specs)
        for spec in specs:
            known = tuple(spec[k] for k in table.partition_keys) in registered
            target = self.location(table, spec) if known else table.partition_location(self.settings, spec)
            folder = "/".join(f"{k}={spec[k]}" for k in table.partition_keys)
            for source in self.data_files(f"{location}/{folder}"):
                self.rename(source, f"{target}/{source.rsplit('/', 1)[1]}")
        self.refresh(table)
        self.delete(location)

    # Files, through Hadoop's FileSystem (a local disk or S3 alike)

    def _path(self, location: str) -> tuple[Any, Any]:
        jvm = self.spark.sparkContext._jvm
        path = jvm.org.apache.hadoop.fs.Path(location)  # type: ignore[union-attr]
        return path, path.getFileSystem(self.spark.sparkContext._jsc.hadoopConfiguration())

    def data_files(self, location: str) -> tuple[str, ...]:
        """Data files directly in a folder (hidden and `_` files excluded), sorted."""
        path, fs = self._path(location)
        if not fs.exists(path):
            return ()
        names = [s.getPath().toString() for s in fs.listStatus(path) if s.isFile()]
        return tuple(sorted(n for n in names if not n.rsplit("/", 1)[1].startswith((".", "_"))))

    def folders(self, location: str) -> list[str]:
        """Folders directly in a folder, sorted."""
        path, fs = self._path(location)
        if not fs.exists(path):
            return []
        return sorted(s.getPath().toString() for s in fs.listStatus(path) if s.isDirectory())

    def make_folder(self, location: str) -> None:
        """An empty folder: the new place of a partition that a rewrite left without rows."""
        path, fs = self._path(location)
        fs.mkdirs(path)

    def rename(self, source: str, target: str) -> None:
        """Move one file (its folder made if missing): a rename on a disk, a copy and a delete on S3."""
        src, fs = self._path(source)
        dst, _ = self._path(target)
        fs.mkdirs(dst.getParent())
        if not fs.rename(src, dst):
            raise OSError(f"could not move {source} to {target}")

    def delete(self, location: str) -> None:
        path, fs = self._path(location)
        fs.delete(path, True)
