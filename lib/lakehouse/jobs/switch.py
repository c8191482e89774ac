"""Rewriting a partition in place for readers: write beside, check, switch, sweep.

Shared by compaction, rebuild and replay. A partition's new files go to a hidden folder of the table
(`<table>/_<kind>/<run id>/<key>=<value>/...`: the `_` hides it from listings), are checked, and the
catalog is pointed at them in one update (`ALTER TABLE ... PARTITION ... SET LOCATION`): a reader sees
the old files or the new ones, never both and never neither. A crash before the switch leaves an
unused new folder, after it an unused old one; `sweep` removes both on the next run. Only one of these
rewrites, or an append, runs on a lake at a time (the per-root lock locally; on Glue they are modes of
bronze_to_silver, whose MaxConcurrentRuns 1 with run queuing serializes them).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from pyspark.sql import DataFrame

from lakehouse.catalog import partition_clause, same_place
from lakehouse.errors import JobError
from lakehouse.lake import Lake
from lakehouse.schemas import table_schema
from lakehouse.tables import Table

log = logging.getLogger(__name__)

COMPACTED = "_compacted"
REBUILT = "_rebuilt"
STAGING = (COMPACTED, REBUILT)


@dataclass(frozen=True)
class Located:
    """A registered partition: its values, where the catalog says its files are, and those files."""

    values: dict[str, str]
    location: str
    files: tuple[str, ...]

    @property
    def spec(self) -> str:
        return partition_clause(self.values)

    @property
    def name(self) -> str:
        return "/".join(f"{k}={v}" for k, v in self.values.items())


def located(lake: Lake, table: Table, **spec: str) -> list[Located]:
    """Every registered partition of a table (those matching `spec`) with its location and data files."""
    found = []
    for values in lake.partitions(table, **spec):
        location = lake.location(table, values)
        found.append(Located(values, location, lake.data_files(location)))
    return found


def staging(lake: Lake, table: Table, kind: str, run_id: str, values: dict[str, str]) -> str:
    """The hidden folder a run writes a partition's new files into."""
    parts = "/".join(f"{key}={values[key]}" for key in table.partition_keys)
    return f"{table.location(lake.settings)}/{kind}/{run_id}/{parts}"


def write_beside(lake: Lake, table: Table, rows: DataFrame, target: str) -> int:
    """Write one partition's rows (data columns) into `target` and read back how many landed there."""
    data = table_schema(table, with_partitions=False)
    columns = [f.name for f in data]
    rows.select(*columns).write.mode("errorifexists").parquet(target)
    return lake.spark.read.schema(data).parquet(target).count()  # from the Parquet footers


def write_empty(lake: Lake, target: str) -> int:
    """A partition that a rewrite leaves without rows gets an empty folder to switch to."""
    lake.make_folder(target)
    return 0


def switch(lake: Lake, table: Table, part: Located, target: str) -> bool:
    """Point the partition at `target` and remove its old files, unless files arrived meanwhile."""
    if lake.data_files(part.location) != part.files:  # an append arrived meanwhile: leave it as it is
        log.warning("%s %s changed while it was rewritten: left as it is", table.name, part.spec)
        lake.delete(target)
        return False
    lake.move(table, part.values, target)
    lake.delete(part.location)
    return True


def checked(table: Table, part: str, expected: int, written: int) -> None:
    """Refuse to switch to a folder that does not hold exactly the rows meant for it."""
    if written != expected:
        raise JobError(f"{table.name} {part}: {expected} rows meant, {written} written: left as it was")


def _leaves(lake: Lake, folder: str, depth: int) -> list[str]:
    level = [folder]
    for _ in range(depth):
        level = [child for parent in level for child in lake.folders(parent)]
    return level


def sweep(lake: Lake, table: Table, registered: list[Located]) -> None:
    """Remove what an interrupted rewrite left: unregistered staged folders, replaced default ones."""
    in_use = [p.location for p in registered]
    base = table.location(lake.settings)
    for kind in STAGING:
        for leaf in _leaves(lake, f"{base}/{kind}", 1 + len(table.partition_keys)):
            if not any(same_place(leaf, used) for used in in_use):
                lake.delete(leaf)
    for part in registered:
        default = table.partition_location(lake.settings, part.values)
        if not same_place(part.location, default) and lake.data_files(default):
            lake.delete(default)


Rows = Callable[[dict[str, str]], DataFrame]


def rewrite_partitions(lake: Lake, table: Table, parts: list[Located], rows_of: Rows, run_id: str) -> int:
    """Write each partition's new rows beside it, check them, switch; one progress line each. Rows written."""
    total = 0
    for done, part in enumerate(parts, start=1):
        rows = rows_of(part.values)
        expected = rows.count()  # of cached rows
        target = staging(lake, table, REBUILT, run_id, part.values)
        written = write_beside(lake, table, rows, target) if expected else write_empty(lake, target)
        checked(table, part.spec, expected, written)
        if not switch(lake, table, part, target):
            raise JobError(f"{table.name} {part.spec} changed while it was rebuilt: run the rebuild again")
        total += written
        log.info("%s %s: %d rows (%d of %d partitions)", table.name, part.name, written, done, len(parts))
    lake.refresh(table)
    return total
