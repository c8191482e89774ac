"""Table definitions: the one source of names, columns, types, partitions, formats and locations.

Used by the jobs, the local catalog, deploy and the tests. Types are Hive/Spark SQL type strings so
that this module imports no pyspark (the Lambda and deploy import it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from lakehouse.settings import BucketKind, Settings


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    comment: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    bucket: BucketKind
    prefix: str
    format: Literal["json", "parquet"]
    columns: tuple[Column, ...]
    partition_keys: tuple[str, ...]
    description: str

    def location(self, settings: Settings) -> str:
        return settings.uri(self.bucket, self.prefix)

    def partition_location(self, settings: Settings, values: dict[str, str]) -> str:
        parts = "/".join(f"{key}={values[key]}" for key in self.partition_keys)
        return f"{self.location(settings)}/{parts}"

    @property
    def column_names(self) -> tuple[str, ...]:
        """Data columns, then partition keys: the order of the table, which insertInto relies on."""
        return tuple(c.name for c in self.columns) + self.partition_keys

    def column_types(self, with_partitions: bool = True) -> tuple[tuple[str, str], ...]:
        """(name, SQL type) of the data columns, then (unless not asked for) the partition keys, as STRING."""
        keys = tuple((key, "string") for key in self.partition_keys) if with_partitions else ()
        return tuple((c.name, c.type) for c in self.columns) + keys

    def ddl(self, with_partitions: bool = False) -> str:
        """`name type, ...` for the data columns (and the partition keys, as STRING)."""
        return ", ".join(f"`{name}` {type_}" for name, type_ in self.column_types(with_partitions))


def _cols(*pairs: tuple[str, str] | tuple[str, str, str]) -> tuple[Column, ...]:
    return tuple(Column(*pair) for pair in pairs)


BRONZE = Table(
    name="github_events_bronze",
    bucket="raw",
    prefix="github/events",
    format="json",
    columns=_cols(
        ("id", "string", "event id, as GitHub sent it"),
        ("type", "string", "event type, e.g. PushEvent"),
        ("actor", "struct<id:bigint,login:string,display_login:string,url:string,avatar_url:string>"),
        ("repo", "struct<id:bigint,name:string,url:string>"),
        ("org", "struct<id:bigint,login:string,url:string,avatar_url:string>"),
        ("payload", "string", "the event payload, as JSON text"),
        ("public", "boolean"),
        ("created_at", "string", "ISO 8601 as GitHub sent it"),
    ),
    partition_keys=("ingest_dt",),
    description="Raw GitHub events, one JSON line each, exactly as received (gzip JSON lines).",
)

SILVER = Table(
    name="github_events_silver",
    bucket="silver",
    prefix="github/events_silver",
    format="parquet",
    columns=_cols(
        ("event_id", "string"),
        ("event_type", "string"),
        ("event_date", "date", "UTC day of created_at"),
        ("repo_name", "string"),
        ("actor_login", "string"),
        ("created_at", "timestamp", "UTC"),
        ("ingest_dt", "string", "UTC day the event reached bronze"),
        ("repo_id", "bigint"),
        ("actor_id", "bigint"),
        ("org_login", "string"),
        ("is_public", "boolean"),
        # Appended, never inserted: Athena reads Parquet by column name, so files written before these columns read
        # null in them (https://docs.aws.amazon.com/athena/latest/ug/handling-schema-updates-chapter.html).
        ("action", "string", "payload.action as GitHub sent it (opened, closed, started, ...); null where absent"),
        ("pr_merged", "boolean", "PullRequestEvent: payload.pull_request.merged; null elsewhere and where absent"),
    ),
    partition_keys=("year", "month"),
    description="Clean GitHub events, one row per event_id, partitioned by year/month of created_at.",
)

GOLD_DAILY = Table(
    name="github_events_gold_daily",
    bucket="gold",
    prefix="github/events_gold_daily",
    format="parquet",
    columns=_cols(("event_type", "string"), ("repo_name", "string"), ("events_count", "bigint")),
    partition_keys=("ingest_dt",),
    description="Events per event type and repository, per ingest day.",
)


REPO_DAILY = Table(
    name="github_repo_daily",
    bucket="gold",
    prefix="github/repo_daily",
    format="parquet",
    columns=_cols(
        ("repo_name", "string"),
        ("events", "bigint"),
        ("stars", "bigint", "WatchEvent, action started"),
        ("forks", "bigint", "ForkEvent"),
        ("pushes", "bigint", "PushEvent"),
        ("prs_opened", "bigint", "PullRequestEvent, action opened"),
        ("prs_merged", "bigint", "PullRequestEvent, action closed, pr_merged true"),
        ("prs_closed_unmerged", "bigint", "PullRequestEvent, action closed, pr_merged false (null: in neither)"),
        ("issues_opened", "bigint", "IssuesEvent, action opened"),
        ("issues_closed", "bigint", "IssuesEvent, action closed"),
        ("comments", "bigint", "IssueCommentEvent, CommitCommentEvent, PullRequestReviewCommentEvent"),
        ("releases", "bigint", "ReleaseEvent"),
        ("actors", "bigint", "distinct actor_login"),
    ),
    partition_keys=("ingest_dt",),
    description="Activity per repository per ingest day: events, stars, forks, pushes, pull requests, issues.",
)

TRENDING_DAILY = Table(
    name="github_trending_daily",
    bucket="gold",
    prefix="github/trending_daily",
    format="parquet",
    columns=_cols(
        ("repo_name", "string"),
        ("stars_7d", "bigint", "stars of ingest days D-6..D"),
        ("stars_prev_7d", "bigint", "stars of ingest days D-13..D-7"),
        ("growth_7d", "double", "stars_7d / stars_prev_7d - 1; null when stars_prev_7d is 0"),
        ("rank_7d", "int", "by stars_7d desc, repo_name asc, among repositories starred in the window"),
        ("stars_28d", "bigint", "stars of ingest days D-27..D"),
        ("stars_prev_28d", "bigint", "stars of ingest days D-55..D-28"),
        ("growth_28d", "double", "stars_28d / stars_prev_28d - 1; null when stars_prev_28d is 0"),
        ("rank_28d", "int", "by stars_28d desc, repo_name asc, among repositories starred in the window"),
    ),
    partition_keys=("ingest_dt",),
    description="The top repositories by stars over the 7 and 28 ingest days up to each day, with growth.",
)

ACTIVITY_HOURLY = Table(
    name="github_activity_hourly",
    bucket="gold",
    prefix="github/activity_hourly",
    format="parquet",
    columns=_cols(
        ("event_date", "date", "UTC day of created_at"),
        ("hour", "int", "UTC hour of created_at"),
        ("event_type", "string"),
        ("events", "bigint"),
    ),
    partition_keys=("ingest_dt",),
    description="Events per UTC hour of created_at and event type, per ingest day.",
)

QUARANTINE = Table(
    name="github_events_quarantine",
    bucket="silver",
    prefix="github/events_quarantine",
    format="parquet",
    columns=_cols(
        ("raw_line", "string", "the bronze line, byte for byte (null for a corrupt object)"),
        ("source_object", "string"),
        ("reason", "string", "malformed_json, not_an_object, missing:<f>, bad_type:<f>, ..."),
        ("quarantined_at", "timestamp"),
    ),
    partition_keys=("ingest_dt",),
    description="Bronze lines that could not become silver rows, with the reason.",
)

RUNS = Table(
    name="github_events_runs",
    bucket="silver",
    prefix="github/events_runs",
    format="parquet",
    columns=_cols(
        ("run_id", "string"),
        ("job", "string"),
        ("started_at", "timestamp"),
        ("finished_at", "timestamp"),
        ("status", "string"),
        ("input_objects", "bigint"),
        ("lines_read", "bigint"),
        ("silver_rows", "bigint"),
        ("quarantined", "bigint"),
        ("duplicates", "bigint"),
        ("gold_days", "bigint"),
        ("code_version", "string", "the version of lakehouse that ran the job"),
    ),
    partition_keys=(),
    description="One row per job run, with its counts: lines_read = silver_rows + quarantined + duplicates.",
)

SILVER_INDEX = Table(
    name="github_events_silver_index",
    bucket="silver",
    prefix="github/events_silver_index",
    format="parquet",
    columns=_cols(
        ("run_id", "string"),
        ("valid_rows", "bigint", "valid rows of this ingest day the run saw in this silver partition"),
    ),
    # Partitions alone answer gold's question (which year/month partitions hold a day's rows), from the
    # catalog: no index file is read for it.
    partition_keys=("ingest_dt", "year", "month"),
    description="Which silver year/month partitions hold rows of each ingest day (gold reads only those).",
)

# Gold: what the gold job writes and analysts read.
MARTS: tuple[Table, ...] = (REPO_DAILY, TRENDING_DAILY, ACTIVITY_HOURLY)
GOLD_TABLES: tuple[Table, ...] = (GOLD_DAILY, *MARTS)
TABLES: tuple[Table, ...] = (BRONZE, SILVER, GOLD_DAILY, QUARANTINE, RUNS, SILVER_INDEX, *MARTS)
TABLES_BY_NAME = {t.name: t for t in TABLES}

# Job names: the Glue job names (prefixed by env on AWS), the bookmark keys and the `job` column of runs.
SILVER_JOB = "bronze_to_silver"
GOLD_JOB = "silver_to_gold"
JOBS = (SILVER_JOB, GOLD_JOB)
# Rewrites small silver files; uses no bookmark. On Glue it runs as bronze_to_silver --mode compact, so
# the job's one-run-at-a-time queuing keeps it from ever overlapping an append to silver.
COMPACT_JOB = "compact_silver"
# Writes the dashboard page to gold (the daily workflow's step after gold); a Glue job with no bookmark.
DASHBOARD_JOB = "publish_dashboard"
# Derive silver partitions (and their quarantine) again from bronze; re-judge quarantined lines. On Glue
# both run as modes of bronze_to_silver, serialized with its appends like compaction.
REBUILD_JOB = "rebuild_silver"
REPLAY_JOB = "replay_quarantine"
