"""The dashboard's questions: one name, description and SQL each, the one text for Spark, Athena and named queries.

The SQL keeps to what Spark SQL 3.5 and Athena engine v3 (Trino) both read the same way: unqualified
table names (the session's current database, Athena's QueryExecutionContext), plain aggregates, ORDER BY
and LIMIT, positional `?` parameters; ascending keys say NULLS LAST (Spark's default there is NULLS
FIRST, Trino's NULLS LAST), so the two order alike (tests/dashboard/test_questions.py parses each both
ways). Every answer is a small aggregate: one row per day, per day and hour, or a top list.

Every question over a partitioned table reads only the ingest days the page shows, a `Window`: it
compares the partition key `ingest_dt` (a string, YYYY-MM-DD) with `?` parameters, which both engines
prune on. Spark binds them with `spark.sql(text, args=[...])` (positional parameters, PySpark 3.5:
https://spark.apache.org/docs/3.5.0/api/python/reference/pyspark.sql/api/pyspark.sql.SparkSession.sql.html),
Athena with StartQueryExecution's ExecutionParameters, and the console asks for the values of a saved
query's `?` (https://docs.aws.amazon.com/athena/latest/ug/querying-with-prepared-statements-querying-using-execution-parameters.html).

The newest day is found once per page, before the questions, by `NEWEST_DAY`: `SHOW PARTITIONS` of
github_repo_daily, one text both engines run, answered from the catalog (the metastore, or the Glue Data
Catalog: https://docs.aws.amazon.com/athena/latest/ug/show-partitions.html) without reading a data file;
a `SELECT MAX(ingest_dt)` would read every day's files, and github_events_runs holds no day. Its answer
is one short line per day (730 for two years), the cheapest way that is the same in both engines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from lakehouse.tables import ACTIVITY_HOURLY, QUARANTINE, REPO_DAILY, RUNS, TRENDING_DAILY

TOP = 15  # repositories in each top list
DEFAULT_DAYS = 28  # days the charts cover, back from the newest


NEWEST_DAY = f"SHOW PARTITIONS {REPO_DAILY.name}"  # every mart has the same days: gold writes them together


@dataclass(frozen=True)
class Window:
    """The ingest days a page shows: `days` days back from the newest, and the day before them (compared with)."""

    newest: str
    days: int

    def _back(self, days: int) -> str:
        return (date.fromisoformat(self.newest) - timedelta(days=days)).isoformat()

    @property
    def first(self) -> str:
        return self._back(self.days - 1)

    @property
    def before(self) -> str:
        return self._back(self.days)


@dataclass(frozen=True)
class Question:
    name: str
    description: str
    sql: str
    parameters: tuple[str, ...] = ()  # the Window's days its `?` take, in order: "first", "before", "newest"

    def arguments(self, window: Window) -> list[str]:
        """The days (YYYY-MM-DD) for the question's `?`, in order."""
        return [str(getattr(window, name)) for name in self.parameters]


def newest_partition(partitions: list[str]) -> str | None:
    """The newest day among SHOW PARTITIONS lines (`ingest_dt=YYYY-MM-DD`; any other line, e.g. a header, left out)."""
    days = [line.split("=", 1)[1] for line in partitions if line.startswith("ingest_dt=")]
    return max(days, default=None)


def _sql(text: str) -> str:
    return " ".join(text.split())


DAILY_TOTALS = Question(
    "daily_totals",
    "Per ingest day: events, active repositories, stars, forks, pushes, pull requests, issues, comments, releases.",
    _sql(f"""
        SELECT ingest_dt, SUM(events) AS events, COUNT(*) AS repos, SUM(stars) AS stars, SUM(forks) AS forks,
               SUM(pushes) AS pushes, SUM(prs_opened) AS prs_opened, SUM(prs_merged) AS prs_merged,
               SUM(issues_opened) AS issues_opened, SUM(comments) AS comments, SUM(releases) AS releases
        FROM {REPO_DAILY.name} WHERE ingest_dt >= ? AND ingest_dt <= ?
        GROUP BY ingest_dt ORDER BY ingest_dt NULLS LAST
    """),
    ("before", "newest"),
)
EVENT_MIX = Question(
    "event_mix",
    "Events per UTC day of creation and event type (the event mix over time).",
    _sql(f"""
        SELECT event_date, event_type, SUM(events) AS events
        FROM {ACTIVITY_HOURLY.name} WHERE ingest_dt >= ? AND ingest_dt <= ?
        GROUP BY event_date, event_type ORDER BY event_date NULLS LAST, event_type NULLS LAST
    """),
    ("first", "newest"),
)
HOURLY_ACTIVITY = Question(
    "hourly_activity",
    "Events per UTC day of creation and hour (the hour x weekday heat map; weekdays are worked out from the day).",
    _sql(f"""
        SELECT event_date, hour, SUM(events) AS events
        FROM {ACTIVITY_HOURLY.name} WHERE ingest_dt >= ? AND ingest_dt <= ?
        GROUP BY event_date, hour ORDER BY event_date NULLS LAST, hour NULLS LAST
    """),
    ("first", "newest"),
)
MOST_STARRED = Question(
    "most_starred",
    f"The {TOP} repositories with the most new stars on the newest ingest day.",
    _sql(f"""
        SELECT ingest_dt, repo_name, stars, forks, events
        FROM {REPO_DAILY.name}
        WHERE ingest_dt = ? AND stars > 0
        ORDER BY stars DESC, repo_name NULLS LAST LIMIT {TOP}
    """),
    ("newest",),
)
TRENDING = Question(
    "trending",
    f"The top {TOP} trending repositories of the newest day: stars over 7 days, against the 7 days before.",
    _sql(f"""
        SELECT ingest_dt, repo_name, rank_7d, stars_7d, stars_prev_7d, growth_7d, rank_28d, stars_28d
        FROM {TRENDING_DAILY.name}
        WHERE ingest_dt = ? AND rank_7d <= {TOP}
        ORDER BY rank_7d NULLS LAST
    """),
    ("newest",),
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
    "Quarantined lines of the days shown per reason, most first.",
    _sql(f"""
        SELECT reason, COUNT(*) AS quarantined FROM {QUARANTINE.name} WHERE ingest_dt >= ? AND ingest_dt <= ?
        GROUP BY reason ORDER BY quarantined DESC, reason NULLS LAST
    """),
    ("first", "newest"),
)

QUESTIONS: tuple[Question, ...] = (
    DAILY_TOTALS, EVENT_MIX, HOURLY_ACTIVITY, MOST_STARRED, TRENDING, FRESHNESS, RECENT_RUNS, QUARANTINE_REASONS,
)  # fmt: skip
