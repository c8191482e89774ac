"""The Athena path against the moto server: SHOW PARTITIONS for the newest day, then each question's SQL, in the
env's workgroup and database, with its days as ExecutionParameters and the result-reuse opt-in the API expects;
results (seeded through moto's own API) come back typed, header left out."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
import requests

from deploy.athena import result_reuse
from deploy.context import DeployConfig
from lakehouse.dashboard.answers import ask_all
from lakehouse.dashboard.athena_answers import AthenaAnswers, typed
from lakehouse.dashboard.questions import FRESHNESS, NEWEST_DAY, QUARANTINE_REASONS, QUESTIONS, TRENDING
from lakehouse.settings import Settings
from tests.support.aws import ACCOUNT_ID, REGION

SETTINGS = Settings.aws("dev", ACCOUNT_ID, REGION)
WORKGROUP = "lakehouse-dev-workgroup"
# What Athena would answer, as Athena sends it: every value a string, typed by ColumnInfo.
SEEDED: dict[str, tuple[list[tuple[str, str]], list[list[str | None]]]] = {
    NEWEST_DAY: ([("partition", "string")],
                 [["ingest_dt=2015-01-02"], ["ingest_dt=2015-01-10"], ["ingest_dt=2015-01-09"]]),
    QUARANTINE_REASONS.name: ([("reason", "varchar"), ("quarantined", "bigint")],
                              [["bad_type:actor", "4"], ["malformed_json", "1"]]),
    TRENDING.name: ([("ingest_dt", "varchar"), ("repo_name", "varchar"), ("rank_7d", "integer"),
                     ("growth_7d", "double")], [["2015-01-01", "a/b", "1", None], ["2015-01-01", "c/d", "2", "0.5"]]),
    FRESHNESS.name: ([("job", "varchar"), ("last_success", "timestamp"), ("runs", "bigint")],
                     [["silver_to_gold", "2026-12-01 13:40:05.123", "3"]]),
}  # fmt: skip


def _seed(moto_url: str, questions: list[str]) -> None:
    """Queue one result per question, in the order the questions start (moto hands them out in that order)."""
    results = []
    for name in questions:
        columns, rows = SEEDED.get(name, ([("n", "bigint")], []))
        header = {"Data": [{"VarCharValue": c} for c, _ in columns]}
        data = [{"Data": [{"VarCharValue": v} if v is not None else {} for v in row]} for row in rows]
        info = [{"Name": c, "Label": c, "Type": t} for c, t in columns]
        results.append({"rows": [header, *data], "column_info": info})
    body: dict[str, Any] = {"account_id": ACCOUNT_ID, "region": REGION, "results": results}
    requests.post(f"{moto_url}/moto-api/static/athena/query-results", json=body, timeout=10).raise_for_status()


def test_every_question_runs_in_the_workgroup_with_result_reuse_and_comes_back_typed(aws: str) -> None:
    session = boto3.Session()
    sent: list[dict[str, Any]] = []
    session.events.register(
        "provide-client-params.athena.StartQueryExecution", lambda params, **_: sent.append(dict(params))
    )
    athena = session.client("athena")
    athena.create_work_group(Name=WORKGROUP)
    _seed(aws, [NEWEST_DAY, *(q.name for q in QUESTIONS)])
    source = AthenaAnswers(athena, SETTINGS, DeployConfig().athena_reuse_max_age_minutes, poll_seconds=0)
    answers = ask_all(source, 7)
    context = {"Database": SETTINGS.database}
    newest = {"QueryString": "SHOW PARTITIONS github_repo_daily", "QueryExecutionContext": context}
    assert sent[0] == {**newest, "WorkGroup": WORKGROUP}  # no result reuse: a day just added shows at once
    # 7 days back from 2015-01-10 (the newest partition): 2015-01-04..10, the headline's day before: 2015-01-03
    days = {"daily_totals": ["'2015-01-03'", "'2015-01-10'"], "event_mix": ["'2015-01-04'", "'2015-01-10'"],
            "hourly_activity": ["'2015-01-04'", "'2015-01-10'"], "most_starred": ["'2015-01-10'"],
            "trending": ["'2015-01-10'"], "quarantine_reasons": ["'2015-01-04'", "'2015-01-10'"]}  # fmt: skip
    assert sent[1:] == [
        {"QueryString": q.sql, "QueryExecutionContext": context, "WorkGroup": WORKGROUP,
         **({"ExecutionParameters": days[q.name]} if q.name in days else {}), **result_reuse(DeployConfig())}
        for q in QUESTIONS
    ]  # fmt: skip
    assert answers[QUARANTINE_REASONS.name] == [
        {"reason": "bad_type:actor", "quarantined": 4}, {"reason": "malformed_json", "quarantined": 1}
    ]  # fmt: skip
    assert answers[TRENDING.name] == [
        {"ingest_dt": "2015-01-01", "repo_name": "a/b", "rank_7d": 1, "growth_7d": None},
        {"ingest_dt": "2015-01-01", "repo_name": "c/d", "rank_7d": 2, "growth_7d": 0.5},
    ]
    assert answers[FRESHNESS.name] == [{"job": "silver_to_gold", "last_success": "2026-12-01T13:40:05Z", "runs": 3}]
    assert {name for name, rows in answers.items() if not rows} == {q.name for q in QUESTIONS} - set(SEEDED)


@pytest.mark.parametrize(
    ("text", "athena_type", "value"),
    [("12", "bigint", 12), ("0.25", "double", 0.25), ("true", "boolean", True), ("2015-01-01", "date", "2015-01-01"),
     ("2015-01-01 00:00:01.500", "timestamp", "2015-01-01T00:00:01Z"), (None, "varchar", None)],
)  # fmt: skip
def test_athena_text_becomes_the_value_spark_would_give(text: str | None, athena_type: str, value: object) -> None:
    assert typed(text, athena_type) == value
