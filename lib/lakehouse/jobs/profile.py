"""The counts of a batch of judged lines, small enough to hold on the driver, and what a run records of them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from urllib.parse import unquote

from pyspark.sql import DataFrame, Row
from pyspark.sql import functions as F

from lakehouse.jobs.run_record import RunReport

Partition = tuple[str, str, str]  # (ingest_dt, year, month)


def object_names(names: list[str]) -> frozenset[str]:
    """Objects as `source_object` names them, decoded (Spark's names are URL-encoded)."""
    return frozenset(unquote(name) for name in names)


@dataclass(frozen=True)
class BatchProfile:
    """Which objects a batch read, how many lines, why the bad ones are bad, where the valid ones go."""

    objects: frozenset[str]
    lines: int
    by_reason: Counter[str]
    valid_per_partition: Counter[Partition]  # valid rows per silver partition and ingest day
    id_range: tuple[str, str] | None = None  # the least and greatest valid event_id (string order)
    quarantine_days: frozenset[str] = frozenset()  # the ingest days of the lines quarantined

    @classmethod
    def of(cls, classified: DataFrame) -> BatchProfile:
        """From judged lines (`reason`: null when valid), in one aggregation."""
        keys = ("source_object", "reason", "ingest_dt", "year", "month")
        stats = (F.count(F.lit(1)).alias("count"), F.min("event_id").alias("lo"), F.max("event_id").alias("hi"))
        groups = classified.groupBy(*keys).agg(*stats).collect()
        reasons: Counter[str] = Counter()
        valid: Counter[Partition] = Counter()
        for g in groups:
            if g["reason"] is None:
                valid[(g["ingest_dt"], g["year"], g["month"])] += g["count"]
            else:
                reasons[g["reason"]] += g["count"]
        return cls(
            object_names([g["source_object"] for g in groups]),
            sum(g["count"] for g in groups),
            reasons,
            valid,
            _id_range([g for g in groups if g["reason"] is None]),
            frozenset(g["ingest_dt"] for g in groups if g["reason"] is not None),
        )

    @property
    def months(self) -> set[tuple[str, str]]:
        return {(year, month) for _, year, month in self.valid_per_partition}

    @property
    def valid(self) -> int:
        return sum(self.valid_per_partition.values())

    def counted(self, report: RunReport) -> None:
        """The batch's counts in the run's record."""
        report.input_objects = len(self.objects)
        report.lines_read = self.lines
        report.quarantined_by_reason = dict(sorted(self.by_reason.items()))
        report.quarantined = sum(self.by_reason.values())


def valid_partitions(valid: DataFrame) -> Counter[Partition]:
    """Valid rows per (ingest_dt, year, month), in one aggregation that reads no other column (the id range
    comes from the pass that wrote the rows: reading every event_id again cost about 1 s at 1M events)."""
    groups = valid.groupBy("ingest_dt", "year", "month").count().collect()
    return Counter({(g["ingest_dt"], g["year"], g["month"]): g["count"] for g in groups})


def _id_range(groups: list[Row]) -> tuple[str, str] | None:
    return (min(g["lo"] for g in groups), max(g["hi"] for g in groups)) if groups else None
