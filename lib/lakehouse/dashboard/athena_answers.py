"""Answers from Athena, in the env's deployed workgroup, opting in to query result reuse.

StartQueryExecution, then GetQueryExecution until the query ends, then GetQueryResults page by page
(https://docs.aws.amazon.com/athena/latest/APIReference/API_GetQueryResults.html: the first row of a
SELECT's result is its column names; every value is a string, typed by ResultSetMetadata.ColumnInfo).
A question's `?` get their values from ExecutionParameters, each an SQL literal, so a day is sent quoted
('2015-01-01'), as EXECUTE ... USING takes a string
(https://docs.aws.amazon.com/athena/latest/ug/querying-with-prepared-statements-querying-using-execution-parameters.html,
https://docs.aws.amazon.com/athena/latest/ug/querying-with-prepared-statements-execute.html).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lakehouse.dashboard.answers import Answers, Row, Value
from lakehouse.dashboard.questions import NEWEST_DAY, Question, Window, newest_partition
from lakehouse.errors import UserError
from lakehouse.settings import Settings

DONE = ("SUCCEEDED", "FAILED", "CANCELLED")
REUSE_MINUTES = 60  # the default age up to which a question reuses an earlier result
INTEGERS = ("tinyint", "smallint", "integer", "int", "bigint")
FLOATS = ("double", "float", "real", "decimal")


class AthenaQueryFailed(UserError):
    """A dashboard question failed in Athena; the message is Athena's reason."""


def result_reuse(max_age_minutes: int) -> dict[str, Any]:
    """StartQueryExecution's opt-in to reuse a result up to max_age_minutes old (engine v3, per query).

    https://docs.aws.amazon.com/athena/latest/ug/reusing-query-results.html
    """
    age = {"Enabled": True, "MaxAgeInMinutes": max_age_minutes}
    return {"ResultReuseConfiguration": {"ResultReuseByAgeConfiguration": age}}


def execution_parameters(question: Question, window: Window) -> dict[str, Any]:
    """StartQueryExecution's values for the question's `?`, as quoted literals (none for a question without)."""
    values = [f"'{day}'" for day in question.arguments(window)]
    return {"ExecutionParameters": values} if values else {}


def workgroup(settings: Settings) -> str:
    """The env's Athena workgroup, as deploy names it."""
    return settings.resource_name("workgroup")


def typed(text: str | None, athena_type: str) -> Value:
    """One Athena value (always text) as the type its column has; timestamps as YYYY-MM-DDTHH:MM:SSZ."""
    if text is None:
        return None
    kind = athena_type.lower().split("(")[0]
    if kind in INTEGERS:
        return int(text)
    if kind in FLOATS:
        return float(text)
    if kind == "boolean":
        return text.lower() == "true"
    if kind.startswith("timestamp"):
        return datetime.fromisoformat(text.replace(" UTC", "")).replace(microsecond=0).isoformat() + "Z"
    return text


@dataclass
class AthenaAnswers:
    """One boto3 Athena client, the env's workgroup and database, and the reuse age."""

    client: Any
    settings: Settings
    reuse_minutes: int = REUSE_MINUTES
    poll_seconds: float = 0.5
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def newest_day(self) -> str | None:
        """SHOW PARTITIONS, answered from the Glue Data Catalog; never a reused result, so a new day shows at once."""
        query_id = self._wait("newest_day", self._start(NEWEST_DAY))
        pages = self.client.get_paginator("get_query_results").paginate(QueryExecutionId=query_id)
        lines = [str(row["Data"][0].get("VarCharValue", "")) for page in pages for row in page["ResultSet"]["Rows"]]
        return newest_partition(lines)

    def answer(self, questions: Sequence[Question], window: Window) -> Answers:
        started = {q.name: self._start(q.sql, **self._options(q, window)) for q in questions}  # side by side
        return {name: self._rows(self._wait(name, query_id)) for name, query_id in started.items()}

    def _options(self, question: Question, window: Window) -> dict[str, Any]:
        return {**execution_parameters(question, window), **result_reuse(self.reuse_minutes)}

    def _start(self, sql: str, **options: Any) -> str:
        response = self.client.start_query_execution(
            QueryString=sql,
            QueryExecutionContext={"Database": self.settings.database},
            WorkGroup=workgroup(self.settings),
            **options,
        )
        return str(response["QueryExecutionId"])

    def _wait(self, name: str, query_id: str) -> str:
        while True:
            status = self.client.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]
            if status["State"] in DONE:
                break
            self.sleep(self.poll_seconds)
        if status["State"] != "SUCCEEDED":
            reason = status.get("StateChangeReason", "no reason given")
            raise AthenaQueryFailed(f"dashboard question {name} {status['State'].lower()} in Athena: {reason}")
        return query_id

    def _rows(self, query_id: str) -> list[Row]:
        """Every row of the result, page by page; the first row of the first page is the header."""
        rows: list[Row] = []
        columns: list[tuple[str, str]] = []
        pages = self.client.get_paginator("get_query_results").paginate(QueryExecutionId=query_id)
        for number, page in enumerate(pages):
            result = page["ResultSet"]
            columns = columns or [(c["Name"], c["Type"]) for c in result["ResultSetMetadata"]["ColumnInfo"]]
            for row in result["Rows"][1 if number == 0 else 0 :]:
                values = [cell.get("VarCharValue") for cell in row["Data"]]
                rows.append({n: typed(v, t) for (n, t), v in zip(columns, values, strict=True)})
        return rows
