"""The answers to the dashboard's questions, as plain JSON-ready rows, from whichever engine asked them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Protocol

from lakehouse.dashboard.questions import QUESTIONS, Question, Window

Value = str | int | float | bool | None
Row = dict[str, Value]
Answers = dict[str, list[Row]]  # question name -> its rows, in the SQL's order


class Source(Protocol):
    """Something that answers questions: the local Spark session or Athena in the deployed workgroup."""

    def newest_day(self) -> str | None:
        """The newest ingest day of the marts, from the catalog (None while they hold none)."""
        ...

    def answer(self, questions: Sequence[Question], window: Window) -> Answers:
        """Each question asked over the window's days."""
        ...


def plain(value: object) -> Value:
    """One engine-neutral value: days as YYYY-MM-DD, timestamps as YYYY-MM-DDTHH:MM:SSZ (UTC), decimals as float."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None, microsecond=0).isoformat() + "Z"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"a dashboard answer holds a {type(value).__name__}: questions return plain aggregates")


def plain_row(row: Mapping[str, object]) -> Row:
    return {name: plain(value) for name, value in row.items()}


def window_of(source: Source, days: int) -> Window:
    """The days a page shows: `days` back from the newest ingest day (today, UTC, while the marts hold none)."""
    return Window(source.newest_day() or datetime.now(UTC).date().isoformat(), days)


def ask_all(source: Source, days: int) -> Answers:
    """Every question of the dashboard, answered by one source over the newest `days` ingest days."""
    return source.answer(QUESTIONS, window_of(source, days))
