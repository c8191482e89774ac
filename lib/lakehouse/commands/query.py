"""`lakehouse query "SQL" [--format table|json|csv]`: only the result goes to stdout.

The command line runs in UTC (see `cli.main`), so the timestamps PySpark hands back are UTC.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal

from py4j.protocol import Py4JJavaError
from pyspark.errors import PySparkException
from pyspark.sql import DataFrame, Row

from lakehouse.errors import UserError
from lakehouse.runtime.local import lake_session
from lakehouse.settings import Settings


class QueryError(UserError):
    """The SQL did not run; the message is Spark's first line."""


def plain(value: object) -> object:
    """A JSON-ready value: dates as YYYY-MM-DD, timestamps as ISO 8601 UTC, nested rows as objects."""
    if isinstance(value, Row):
        return {k: plain(v) for k, v in value.asDict().items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, datetime):
        return value.isoformat() + "Z" if value.tzinfo is None else value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytearray | bytes):
        return value.hex()
    return value


def records(df: DataFrame) -> Iterator[dict[str, object]]:
    """The rows of a result as JSON-ready dicts, streamed from Spark."""
    for row in df.toLocalIterator():
        yield {name: plain(value) for name, value in zip(df.columns, row, strict=True)}


def _cell(value: object) -> str:
    """A value as a table shows it: text as it is, NULL, anything else as its JSON (timestamps as ISO 8601 UTC)."""
    if value is None:
        return "NULL"
    shown = plain(value)
    return shown if isinstance(shown, str) else json.dumps(shown, ensure_ascii=False)


def format_table(columns: list[str], rows: list[dict[str, object]]) -> str:
    cells = [[_cell(r[c]) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    return "\n".join(lines) + "\n"


def print_table(columns: list[str], rows: list[dict[str, object]]) -> None:
    sys.stdout.write(format_table(columns, rows))
    print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})", file=sys.stderr)


def render(df: DataFrame, output: str) -> str:
    """The whole result in the chosen format (built before anything is printed)."""
    rows = list(records(df))
    if output == "json":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if output == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(df.columns)
        for r in rows:
            writer.writerow(["" if v is None else v if isinstance(v, str) else json.dumps(v) for v in r.values()])
        return out.getvalue()
    return format_table(df.columns, rows)


def _root_cause(error: Py4JJavaError) -> str:
    """The first line of the innermost Java exception: what actually went wrong."""
    cause = error.java_exception
    while cause.getCause() is not None:
        cause = cause.getCause()
    return str(cause.toString()).strip().splitlines()[0]


def query(settings: Settings, sql: str, output: str) -> int:
    with lake_session(settings) as spark:
        try:
            df = spark.sql(sql)
            text = render(df, output)
        except PySparkException as e:
            raise QueryError(str(e).strip().splitlines()[0]) from e
        except Py4JJavaError as e:
            raise QueryError(_root_cause(e)) from e
    sys.stdout.write(text)
    return 0
