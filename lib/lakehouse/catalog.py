"""The catalog side of a run: create the database and tables, register partitions.

Tables are Hive-format (`STORED AS PARQUET`), like those the Glue API creates; bronze is an external
JSON table. Statements are Spark SQL, and the tables are looked up through Spark's external catalog,
so the same code runs against the embedded metastore and the Glue Data Catalog.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from pyspark.sql import Row, SparkSession

from lakehouse.errors import UserError
from lakehouse.settings import Settings
from lakehouse.tables import TABLES, Table


def qualified(settings: Settings, table: Table) -> str:
    return f"`{settings.database}`.`{table.name}`"


def create_table_sql(settings: Settings, table: Table) -> str:
    """CREATE TABLE IF NOT EXISTS for one table definition."""
    location = table.location(settings)
    comment = table.description.replace("'", "\\'")
    if table.format == "json":
        keys = ", ".join(table.partition_keys)
        return (
            f"CREATE TABLE IF NOT EXISTS {qualified(settings, table)} ({table.ddl(with_partitions=True)}) "
            f"USING json PARTITIONED BY ({keys}) COMMENT '{comment}' LOCATION '{location}'"
        )
    partitioned = ""
    if table.partition_keys:
        partitioned = "PARTITIONED BY (" + ", ".join(f"`{key}` string" for key in table.partition_keys) + ") "
    return (
        f"CREATE TABLE IF NOT EXISTS {qualified(settings, table)} ({table.ddl()}) COMMENT '{comment}' "
        f"{partitioned}STORED AS PARQUET LOCATION '{location}' TBLPROPERTIES ('parquet.compression'='SNAPPY')"
    )


REBUILD = "rebuild the lake from bronze: copy its raw bucket into a new root and run the jobs there"


class TableMismatch(UserError):
    """A table exists with other partition keys or at another place than this version defines."""


class RootMoved(UserError):
    """The embedded metastore places the tables under another root: this one is a copy, or was moved."""


def root_moved(settings: Settings, made_for: str) -> RootMoved:
    return RootMoved(
        f"{settings.root} is a copy of the lake at {made_for}, or was moved from there: its metastore "
        f"keeps that lake's tables. Run lakehouse with --root {made_for}, or {REBUILD}"
    )


def folder(location: str) -> str:
    """A location as one spelling of its folder: `/x`, `file:/x` and `file:///x/` are all `/x`."""
    return re.sub(r"^file:/*", "/", location).rstrip("/")


def same_place(a: str, b: str) -> bool:
    """Two locations name the same folder."""
    return folder(a) == folder(b)


def described_location(described: Iterable[Row]) -> str:
    """The `Location` row of `DESCRIBE TABLE EXTENDED` (a table) or `DESCRIBE FORMATTED` (a partition)."""
    return str(next(row["data_type"] for row in described if row["col_name"] == "Location"))


@dataclass(frozen=True)
class Held:
    """A table as the catalog holds it."""

    columns: frozenset[str]  # partition keys included
    partition_keys: tuple[str, ...]
    location: str


def held_tables(spark: SparkSession, settings: Settings) -> dict[str, Held]:
    """The lake's tables the catalog holds, by name, in three catalog calls.

    Spark SQL asks the catalog for a table once or twice per statement (CREATE TABLE IF NOT EXISTS, DESCRIBE,
    listColumns: about 3 s for the lake's tables in a warm local session); Spark's external catalog lists the
    database's tables and fetches those of the lake at once (`getTablesByName`, the Hive client's
    `getTableObjectsByName`). Only listed tables are asked for: the Glue Data Catalog's Hive client fetches
    each by name and fails on one that does not exist.
    """
    catalog, jvm = spark._jsparkSession.sharedState().externalCatalog(), spark._jvm
    if not catalog.databaseExists(settings.database):
        return {}
    listed = set(_scala_list(catalog.listTables(settings.database)))
    ours = [t.name for t in TABLES if t.name in listed]
    found = _scala_list(catalog.getTablesByName(settings.database, jvm.PythonUtils.toSeq(ours)))  # type: ignore[union-attr]
    return {
        t.identifier().table(): Held(frozenset(t.schema().fieldNames()), tuple(_scala_list(t.partitionColumnNames())),
                                     unquote(t.location().toString()))  # a java.net.URI: `my%20lake`
        for t in found
    }


def _scala_list(seq: Any) -> list[Any]:
    """A Scala Seq the JVM handed back, as a list."""
    return [seq.apply(i) for i in range(seq.size())]


def ensure_tables(spark: SparkSession, settings: Settings) -> dict[str, Held]:
    """The database and every table of the lake, created where missing, and the columns they lack added;
    the tables as the catalog then holds them (fetched again only where this changed one)."""
    held = held_tables(spark, settings)
    if not held:
        spark.sql(f"CREATE DATABASE IF NOT EXISTS `{settings.database}`")
    changed = False
    for table in TABLES:
        if table.name in held:
            changed |= add_missing_columns(spark, settings, table, held[table.name].columns)
        else:  # IF NOT EXISTS: another process may have made it since
            spark.sql(create_table_sql(settings, table))
            changed = True
    return held_tables(spark, settings) if changed else held


def add_missing_columns(spark: SparkSession, settings: Settings, table: Table, existing: frozenset[str]) -> bool:
    """Add the data columns a table made by an earlier version lacks (never drop or retype one); whether any was.

    Columns are only ever appended, so the new ones come last in both; old files read null in them.
    """
    missing = [c for c in table.columns if c.name not in existing]
    if missing:
        columns = ", ".join(f"`{c.name}` {c.type}" for c in missing)
        spark.sql(f"ALTER TABLE {qualified(settings, table)} ADD COLUMNS ({columns})")
    return bool(missing)


def check_tables(spark: SparkSession, settings: Settings, held: Mapping[str, Held] | None = None) -> None:
    """Fail, in one line, where a table has other partition keys than this version's, or lies outside this root.

    A local root keeps its metastore across versions (deploy checks the Glue tables itself). The
    metastore holds absolute locations: in a copied or moved root, the jobs would read and write the
    tables where the metastore says, the lake the root was copied from. `held`: the tables as `ensure_tables`
    left them (fetched when not given).
    """
    held = held_tables(spark, settings) if held is None else held
    for table in TABLES:
        keys = held[table.name].partition_keys
        if keys != table.partition_keys:
            raise TableMismatch(
                f"{qualified(settings, table)} is partitioned by ({', '.join(keys)}), this version of lakehouse "
                f"by ({', '.join(table.partition_keys)}): it was made by an earlier version; {REBUILD}"
            )
        location = folder(held[table.name].location)
        expected = table.location(settings)
        if same_place(location, expected):
            continue
        in_root = expected.removeprefix(settings.root or "")  # /<bucket folder>/<prefix>
        if location.endswith(in_root):
            raise root_moved(settings, made_for=location.removesuffix(in_root))
        raise TableMismatch(
            f"{qualified(settings, table)} lies at {location}, this version of lakehouse keeps it at {expected}: "
            f"it was made by an earlier version; {REBUILD}"
        )


def partition_clause(spec: Mapping[str, str]) -> str:
    """`PARTITION (key='value', ...)`, as Spark SQL names a partition (or a prefix of its keys)."""
    return "PARTITION (" + ", ".join(f"{key}='{value}'" for key, value in spec.items()) + ")"


def add_partitions(
    spark: SparkSession, settings: Settings, table: Table, partitions: Iterable[Mapping[str, str]]
) -> None:
    """Register partitions at their folders in the layout (idempotent), in one statement.

    The statement also refreshes Spark's cached file listing of the table.
    """
    values = sorted({tuple(p[key] for key in table.partition_keys) for p in partitions})
    specs = []
    for row in values:
        spec = dict(zip(table.partition_keys, row, strict=True))
        specs.append(f"{partition_clause(spec)} LOCATION '{table.partition_location(settings, spec)}'")
    if specs:
        spark.sql(f"ALTER TABLE {qualified(settings, table)} ADD IF NOT EXISTS " + " ".join(specs))


def partition_values(spark: SparkSession, settings: Settings, table: Table, **spec: str) -> list[dict[str, str]]:
    """The registered partitions of a table (those matching `spec`, a prefix of its keys) as key -> value.

    A catalog lookup (`SHOW PARTITIONS`): no data file is read.
    """
    rows = spark.sql(f"SHOW PARTITIONS {qualified(settings, table)} {partition_clause(spec) if spec else ''}")
    pairs = ([part.split("=", 1) for part in row[0].split("/")] for row in rows.collect())
    return [{unquote(key): unquote(value) for key, value in row} for row in pairs]
