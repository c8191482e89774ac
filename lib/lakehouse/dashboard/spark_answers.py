"""Answers from one Spark session: the local lake's (embedded metastore) or a Glue job's (Glue Data Catalog)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pyspark.sql import SparkSession

from lakehouse.dashboard.answers import Answers, plain_row
from lakehouse.dashboard.questions import Question


@dataclass
class SparkAnswers:
    """Runs each question in the session's current database; answers are small aggregates, so collect()."""

    spark: SparkSession

    def answer(self, questions: Sequence[Question]) -> Answers:
        return {q.name: [plain_row(r.asDict()) for r in self.spark.sql(q.sql).collect()] for q in questions}
