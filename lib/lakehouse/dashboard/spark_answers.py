"""Answers from one Spark session: the local lake's (embedded metastore) or a Glue job's (Glue Data Catalog)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pyspark.sql import SparkSession

from lakehouse.dashboard.answers import Answers, Row, plain_row
from lakehouse.dashboard.questions import NEWEST_DAY, Question, Window, newest_partition


@dataclass
class SparkAnswers:
    """Runs each question in the session's current database; answers are small aggregates, so collect()."""

    spark: SparkSession

    def newest_day(self) -> str | None:
        return newest_partition([str(r[0]) for r in self.spark.sql(NEWEST_DAY).collect()])

    def answer(self, questions: Sequence[Question], window: Window) -> Answers:
        return {q.name: self._rows(q, window) for q in questions}

    def _rows(self, question: Question, window: Window) -> list[Row]:
        """The question's rows, its `?` bound as positional parameters (PySpark 3.5: `args` as a list)."""
        args = question.arguments(window) or None
        return [plain_row(r.asDict()) for r in self.spark.sql(question.sql, args=args).collect()]
