"""`lakehouse query "SQL" [--format table|json|csv]`: only the result goes to stdout."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from pyspark.errors import PySparkException
from pyspark.sql import DataFrame, Row
from pyspark.sql import functions as F
from pyspark.sql import types as T

from lakehouse.commands.session import lake_session
from lakehouse.errors import UserError
from lakehouse.settings import Settings

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class QueryError(UserError):
    """The SQL did not run; the message is Spark's first line."""


def _utc_micros(df: DataFrame) -> tuple[DataFrame, set[str]]:
    """Timestamps as microseconds since the epoch, so that no local time zone touches them."""
    stamps = {f.name for f in df.schema.fields if isinstance(f.dataType, T.TimestampType)}
    columns = [F.unix_micros(F.col(f"`{c}`")).alias(c) if c in stamps else F.col(f"`{c}`") for c in df.columns]
    return df.select(*columns), stamps


def _plain(value: object) -> object:
    """A JSON-ready value: dates as YYYY-MM-DD, nested rows as objects, decimals as numbers."""
    if isinstance(value, Row):
        return {k: _plain(v) for k, v in value.asDict().items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal | bytearray):
        return float(value) if isinstance(value, Decimal) else value.hex()
    return value


def records(df: DataFrame) -> Iterator[dict[str, object]]:
    """The rows of a result as dicts, timestamps as ISO 8601 UTC (`...Z`), streamed from Spark."""
    converted, stamps = _utc_micros(df)
    for row in converted.toLocalIterator():
        record = {}
        for name, value in zip(df.columns, row, strict=True):
            if name in stamps and value is not None:
                value = (_EPOCH + timedelta(microseconds=value)).isoformat().replace("+00:00", "Z")
            record[name] = _plain(value)
        yield record


def _cell(value: object) -> str:
    if value is None:
        return "NULL"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def print_table(columns: list[str], rows: list[dict[str, object]]) -> None:
    cells = [[_cell(r[c]) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})", file=sys.stderr)


def query(settings: Settings, sql: str, output: str) -> int:
    with lake_session(settings) as spark:
        try:
            df = spark.sql(sql)
            rows = records(df)
            if output == "json":
                for record in rows:
                    print(json.dumps(record, ensure_ascii=False))
            elif output == "csv":
                writer = csv.writer(sys.stdout, lineterminator="\n")
                writer.writerow(df.columns)
                for record in rows:
                    writer.writerow(
                        ["" if v is None else v if isinstance(v, str) else json.dumps(v) for v in record.values()]
                    )
            else:
                print_table(df.columns, list(rows))
        except PySparkException as e:
            raise QueryError(str(e).strip().splitlines()[0]) from e
    return 0
