"""The dashboard's questions: one name, description and SQL each, the one text for Spark, Athena and named queries.

The SQL keeps to what Spark SQL 3.5 and Athena engine v3 (Trino) both read the same way: unqualified
table names (the session's current database, Athena's QueryExecutionContext), scalar subqueries, plain
aggregates, ORDER BY and LIMIT; ascending keys say NULLS LAST (Spark's default there is NULLS FIRST,
Trino's NULLS LAST), so the two order alike (tests/dashboard/test_questions.py parses each both ways).
Date arithmetic (weekdays, the last N days) is done in Python over the
small results. Every answer is a small aggregate: one row per day, per day and hour, or a top list.
"""

from __future__ import annotations

from dataclasses import dataclass

from lakehouse.tables import ACTIVITY_HOURLY, QUARANTINE, REPO_DAILY, RUNS, TRENDING_DAILY

TOP = 15  # repositories in each top list
DEFAULT_DAYS = 28  # days the charts cover, back from the newest


@dataclass(frozen=True)
class Question:
    name: str
    description: str
    sql: str


def _sql(text: str) -> str:
    return " ".join(text.split())


DAILY_TOTALS = Question(
    "daily_totals",
    "Per ingest day: events, active repositories, stars, forks, pushes, pull requests, issues, comments, releases.",
    _sql(f"""
        SELECT ingest_dt, SUM(events) AS events, COUNT(*) AS repos, SUM(stars) AS stars, SUM(forks) AS forks,
               SUM(pushes) AS pushes, SUM(prs_opened) AS prs_opened, SUM(prs_merged) AS prs_merged,
               SUM(issues_opened) AS issues_opened, SUM(comments) AS comments, SUM(releases) AS releases
        FROM {REPO_DAILY.name} GROUP BY ingest_dt ORDER BY ingest_dt NULLS LAST
    """),
)
EVENT_MIX = Question(
    "event_mix",
    "Events per UTC day of creation and event type (the event mix over time).",
    _sql(f"""
        SELECT event_date, event_type, SUM(events) AS events
        FROM {ACTIVITY_HOURLY.name} GROUP BY event_date, event_type
        ORDER BY event_date NULLS LAST, event_type NULLS LAST
    """),
)
HOURLY_ACTIVITY = Question(
    "hourly_activity",
    "Events per UTC day of creation and hour (the hour x weekday heat map; weekdays are worked out from the day).",
    _sql(f"""
        SELECT event_date, hour, SUM(events) AS events
        FROM {ACTIVITY_HOURLY.name} GROUP BY event_date, hour ORDER BY event_date NULLS LAST, hour NULLS LAST
    """),
)
MOST_STARRED = Question(
    "most_starred",
    f"The {TOP} repositories with the most new stars on the newest ingest day.",
    _sql(f"""
        SELECT ingest_dt, repo_name, stars, forks, events
        FROM {REPO_DAILY.name}
        WHERE ingest_dt = (SELECT MAX(ingest_dt) FROM {REPO_DAILY.name}) AND stars > 0
        ORDER BY stars DESC, repo_name NULLS LAST LIMIT {TOP}
    """),
)
TRENDING = Question(
    "trending",
    f"The top {TOP} trending repositories of the newest day: stars over 7 days, against the 7 days before.",
    _sql(f"""
        SELECT ingest_dt, repo_name, rank_7d, stars_7d, stars_prev_7d, growth_7d, rank_28d, stars_28d
        FROM {TRENDING_DAILY.name}
        WHERE ingest_dt = (SELECT MAX(ingest_dt) FROM {TRENDING_DAILY.name}) AND rank_7d <= {TOP}
        ORDER BY rank_7d NULLS LAST
    """),
)
FRESHNESS = Question(
    "freshness",
    "Per job: its last successful run's end, and how many runs it has made.",
    _sql(f"""
        SELECT job, MAX(CASE WHEN status = 'succeeded' THEN finished_at END) AS last_success,
               COUNT(*) AS runs, SUM(CASE WHEN status = 'succeeded' THEN 0 ELSE 1 END) AS failed
        FROM {RUNS.name} GROUP BY job ORDER BY job NULLS LAST
    """),
)
RECENT_RUNS = Question(
    "recent_runs",
    "The 20 latest job runs with their counts: lines read, silver rows, quarantined, duplicates.",
    _sql(f"""
        SELECT run_id, job, status, started_at, finished_at, input_objects, lines_read, silver_rows,
               quarantined, duplicates, gold_days
        FROM {RUNS.name} ORDER BY started_at DESC, run_id NULLS LAST LIMIT 20
    """),
)
QUARANTINE_REASONS = Question(
    "quarantine_reasons",
    "Quarantined lines per reason, most first.",
    _sql(f"""
        SELECT reason, COUNT(*) AS quarantined FROM {QUARANTINE.name}
        GROUP BY reason ORDER BY quarantined DESC, reason NULLS LAST
    """),
)

QUESTIONS: tuple[Question, ...] = (
    DAILY_TOTALS, EVENT_MIX, HOURLY_ACTIVITY, MOST_STARRED, TRENDING, FRESHNESS, RECENT_RUNS, QUARANTINE_REASONS,
)  # fmt: skip
