"""Which copy of an event reaches silver (DESIGN.md, invariant 3), stated once and made fast once.

The rule: the copy already in silver, else the first by (`ingest_dt`, object name, raw line).
`new_silver_rows` says it in one line. `SilverAppend` gives the same rows the way a run can afford
them: most events are seen once and not held, and pass as they are, with no shuffle of rows; only
the ids to decide (seen twice in the batch, or held) are aggregated; the rare event whose copies of
its first ingest day differ is decided by object and raw line, from lines read again only then. A
test on real data with duplicates and conflicting copies shows the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from lakehouse.tables import SILVER

SOURCE_OBJECT = "source_object"
RAW_LINE = "raw_line"
# Set on a first copy whose event has other copies in its first ingest day that differ in silver columns.
CONFLICT = "_conflict"


def not_in(rows: DataFrame, existing: DataFrame, keys: list[str]) -> DataFrame:
    """Rows whose keys are not in `existing` (null-safe), e.g. events already in silver."""
    condition = [rows[key].eqNullSafe(existing[key]) for key in keys]
    return rows.join(existing.select(keys).distinct(), on=condition, how="left_anti")


def first_copy_per_event(valid: DataFrame) -> DataFrame:
    """One row per event_id: the first by (ingest_dt, object name, raw line)."""
    first = Window.partitionBy("event_id").orderBy("ingest_dt", SOURCE_OBJECT, RAW_LINE)
    return valid.withColumn("_copy", F.row_number().over(first)).where(F.col("_copy") == 1).drop("_copy")


def new_silver_rows(valid: DataFrame, held: DataFrame) -> DataFrame:
    """Invariant 3: the rows a batch of valid lines adds to silver, given the event ids silver holds."""
    return not_in(first_copy_per_event(valid), held, ["event_id"]).select(*SILVER.column_names)


def ids_to_decide(valid: DataFrame, held: DataFrame) -> DataFrame:
    """The event ids a batch cannot append as they are: seen more than once in it, or already in silver.

    `held` has each id once, so an id counted twice is repeated or held.
    """
    ids = valid.select("event_id").unionByName(held.select("event_id"))
    return ids.groupBy("event_id").count().where(F.col("count") > 1).select("event_id")


def first_copy_candidates(copies: DataFrame) -> DataFrame:
    """One row per event_id from its first ingest day, flagged `_conflict` when that is ambiguous.

    When every copy of the first day has the same silver columns, any of them is the row the (object,
    raw line) order would give, so neither is needed (silver's rows do not carry them); when they
    differ, the object and raw line decide.
    """
    row = F.struct(*SILVER.column_names)
    per_day = copies.groupBy("event_id", "ingest_dt").agg(F.min(row).alias("lo"), F.max(row).alias("hi"))
    first = per_day.groupBy("event_id").agg(F.min(F.struct("ingest_dt", "lo", "hi")).alias("f"))
    return first.select("f.lo.*", (~F.col("f.lo").eqNullSafe(F.col("f.hi"))).alias(CONFLICT))


@dataclass(frozen=True)
class SilverAppend:
    """`new_silver_rows` in two appends: `first` now, and `second` (by raw line) only if `conflicted` has ids.

    `valid` is the batch's valid rows (silver's columns: no object, no raw line); `undecided` is
    `ids_to_decide(valid, held)`, materialised by the caller so that its joins can be broadcast. A
    crash between the two appends leaves ids that a rerun appends, never one twice.
    """

    first: DataFrame
    conflicted: DataFrame

    def second(self, lines: DataFrame) -> DataFrame:
        """The conflicted events' first copies from `lines`: the batch's valid rows with their objects and raw lines
        (read again only for this)."""
        return first_copy_per_event(lines.join(self.conflicted, on="event_id", how="left_semi")).select(
            *SILVER.column_names
        )

    @classmethod
    def of(cls, valid: DataFrame, held: DataFrame, undecided: DataFrame) -> SilverAppend:
        plain = valid.join(undecided, on="event_id", how="left_anti").select(*SILVER.column_names)
        decided = not_in(first_copy_candidates(valid.join(undecided, on="event_id", how="left_semi")), held,
                         ["event_id"])
        first_copies = decided.where(~F.col(CONFLICT)).select(*SILVER.column_names).coalesce(1)  # few: one file
        conflicted = decided.where(F.col(CONFLICT)).select("event_id")
        return cls(plain.unionByName(first_copies), conflicted)
