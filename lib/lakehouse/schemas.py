"""Spark schemas, derived from the table definitions (the one source of column names and types)."""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from lakehouse.tables import Table

# from_json keeps what it could parse and puts the line in `_corrupt_record` when it cannot parse all.
JSON_OPTIONS = {"mode": "PERMISSIVE", "columnNameOfCorruptRecord": "_corrupt_record"}

# The two payload fields the marts count. Leaves are STRING: from_json gives any JSON value as its text,
# so an odd value (`"merged": "yes"`) is null downstream, never a failed parse of the whole event.
PAYLOAD_SCHEMA = T.StructType(
    [
        T.StructField("action", T.StringType()),
        T.StructField("pull_request", T.StructType([T.StructField("merged", T.StringType())])),
    ]
)

# Only the fields of a raw event that silver needs, in one parse of the line: from_json skips the rest.
EVENT_SCHEMA = T.StructType(
    [
        T.StructField("id", T.StringType()),
        T.StructField("type", T.StringType()),
        T.StructField(
            "actor", T.StructType([T.StructField("id", T.LongType()), T.StructField("login", T.StringType())])
        ),
        T.StructField("repo", T.StructType([T.StructField("id", T.LongType()), T.StructField("name", T.StringType())])),
        T.StructField("org", T.StructType([T.StructField("login", T.StringType())])),
        T.StructField("public", T.BooleanType()),
        T.StructField("created_at", T.StringType()),
        T.StructField("payload", PAYLOAD_SCHEMA),
        T.StructField("_corrupt_record", T.StringType()),
    ]
)

# The same fields with every value kept as its JSON text: tells a wrong type from malformed JSON.
EVENT_TEXT_SCHEMA = T.StructType([T.StructField(f.name, T.StringType()) for f in EVENT_SCHEMA.fields])
NESTED_TEXT_SCHEMA = T.StructType(
    [T.StructField(name, T.StringType()) for name in ("id", "login", "name", "pull_request")]
)


def table_schema(table: Table, with_partitions: bool = True) -> T.StructType:
    """The Spark schema of a table: data columns, then partition keys (STRING), in table order."""
    parsed = T._parse_datatype_string(table.ddl(with_partitions=with_partitions))
    assert isinstance(parsed, T.StructType)
    return parsed


def typed(rows: DataFrame, table: Table) -> DataFrame:
    """A table's columns of `rows`, each cast to its type, in table order.

    One `selectExpr` of SQL casts: building a cast per column from Python costs several calls into the JVM
    each (Column.cast of a DataType parses its JSON there): about 70 ms a write in a warm local session.
    """
    return rows.selectExpr(*[f"CAST(`{name}` AS {type_}) AS `{name}`" for name, type_ in table.column_types()])


def table_rows(spark: SparkSession, table: Table, rows: Sequence[Sequence[object]]) -> DataFrame:
    """A few rows of a table, held on the driver (at least one), as a DataFrame in table order.

    Built from literals in the JVM: `createDataFrame` starts a Python worker to read them, which costs
    a job about half a second in a fresh process (the run record, the silver index).
    """
    columns = table.column_types()
    structs = [
        F.struct(*[F.lit(value).cast(type_).alias(name) for value, (name, type_) in zip(row, columns, strict=True)])
        for row in rows
    ]
    return spark.range(1).select(F.inline(F.array(*structs)))
