"""Gold marts: pure DataFrame -> DataFrame functions from silver rows (or repo_daily) to each mart.

Trending (`trending_daily`), for an ingest day D and a repository, from `github_repo_daily.stars`:

- the 7-day window is ingest days D-6..D (`stars_7d`), its previous period D-13..D-7 (`stars_prev_7d`);
- the 28-day window is D-27..D (`stars_28d`), its previous period D-55..D-28 (`stars_prev_28d`);
- growth = stars / stars_prev - 1, null when stars_prev is 0;
- rank = row_number over stars desc, then repo_name asc, among repositories with at least one star in
  that window (null for one with none);
- a row per repository ranked within TRENDING_TOP in either window.

So the row of day D depends on repo_daily of days D-55..D: a change to day X changes the mart for X and
every later day up to X+55 (TRENDING_REACH), which the gold job recomputes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from lakehouse.functions import PULL_REQUEST_EVENT
from lakehouse.tables import ACTIVITY_HOURLY, REPO_DAILY, TRENDING_DAILY

TRENDING_TOP = 100
# Days a repo_daily day reaches forward in trending: the previous 28-day period ends 55 days before D.
TRENDING_REACH = 55
# (window, previous period) as (first, last) days back from D, per window length.
_PERIODS = {7: ((0, 6), (7, 13)), 28: ((0, 27), (28, 55))}
COMMENT_EVENTS = ("IssueCommentEvent", "CommitCommentEvent", "PullRequestReviewCommentEvent")


def _count_where(condition: Column) -> Column:
    """Rows for which `condition` is true (false and null are not counted); 0 when none."""
    return F.count(F.when(condition, F.lit(1)))


def _is(event_type: str, action: str | None = None) -> Column:
    """An event of this type (and, when given, with this payload action)."""
    is_type = F.col("event_type") == F.lit(event_type)
    return is_type if action is None else is_type & (F.col("action") == F.lit(action))


def repo_daily(silver: DataFrame) -> DataFrame:
    """Counts per repository per ingest day; a closed pull request with unknown `pr_merged` is in neither."""
    closed_pr = _is(PULL_REQUEST_EVENT, "closed")
    return (
        silver.groupBy("ingest_dt", "repo_name")
        .agg(
            F.count(F.lit(1)).alias("events"),
            _count_where(_is("WatchEvent", "started")).alias("stars"),
            _count_where(_is("ForkEvent")).alias("forks"),
            _count_where(_is("PushEvent")).alias("pushes"),
            _count_where(_is(PULL_REQUEST_EVENT, "opened")).alias("prs_opened"),
            _count_where(closed_pr & F.col("pr_merged")).alias("prs_merged"),
            _count_where(closed_pr & ~F.col("pr_merged")).alias("prs_closed_unmerged"),
            _count_where(_is("IssuesEvent", "opened")).alias("issues_opened"),
            _count_where(_is("IssuesEvent", "closed")).alias("issues_closed"),
            _count_where(F.col("event_type").isin(*COMMENT_EVENTS)).alias("comments"),
            _count_where(_is("ReleaseEvent")).alias("releases"),
            F.countDistinct("actor_login").alias("actors"),
        )
        .select(*REPO_DAILY.column_names)
    )


def activity_hourly(silver: DataFrame) -> DataFrame:
    """Events per UTC date and hour of created_at and event type, per ingest day."""
    return (
        silver.groupBy("ingest_dt", "event_date", F.hour("created_at").alias("hour"), "event_type")
        .agg(F.count(F.lit(1)).alias("events"))
        .select(*ACTIVITY_HOURLY.column_names)
    )


def trending_days(touched: Iterable[str], ingest_days: Iterable[str]) -> list[str]:
    """The days whose trending rows a change to `touched` alters: each, and the ingest days up to 55 later."""
    starts = [date.fromisoformat(day) for day in touched]
    later = {
        day
        for day in ingest_days
        if any(start <= date.fromisoformat(day) <= start + timedelta(TRENDING_REACH) for start in starts)
    }
    return sorted(later | {start.isoformat() for start in starts})


def _window_sums(back: Column, days: int) -> list[Column]:
    """Stars in the window and in its previous period, `back` being days from the repo_daily day to D."""
    (first, last), (prev_first, prev_last) = _PERIODS[days]
    stars = F.sum(F.when(back.between(first, last), F.col("stars")).otherwise(F.lit(0)))
    prev = F.sum(F.when(back.between(prev_first, prev_last), F.col("stars")).otherwise(F.lit(0)))
    return [stars.alias(f"stars_{days}d"), prev.alias(f"stars_prev_{days}d")]


def _ranked(sums: DataFrame, days: int) -> DataFrame:
    """Growth and rank of one window length."""
    stars, prev = F.col(f"stars_{days}d"), F.col(f"stars_prev_{days}d")
    order = Window.partitionBy("ingest_dt").orderBy(stars.desc(), F.col("repo_name").asc())
    # Repositories without a star in the window sort after every starred one, so row_number ranks the starred.
    return sums.withColumn(f"growth_{days}d", F.when(prev != 0, stars / prev - 1)).withColumn(
        f"rank_{days}d", F.when(stars > 0, F.row_number().over(order))
    )


def trending_daily(repo_days: DataFrame, days: Sequence[str]) -> DataFrame:
    """The trending rows of each of `days` (ingest_dt strings) from repo_daily rows of D-55..D for each D."""
    targets = F.array(*[F.lit(day).cast("date") for day in sorted(days)])
    day = F.col("ingest_dt").cast("date")
    covering = F.filter(targets, lambda d: F.datediff(d, day).between(0, TRENDING_REACH))
    spread = repo_days.where(F.col("stars") > 0).select(
        F.explode(covering).alias("target"), "repo_name", "stars", day.alias("day")
    )
    # One shuffle, by target day: the sums (by day and repository) and the ranks (by day) need no other.
    by_day = spread.withColumn("ingest_dt", F.date_format("target", "yyyy-MM-dd")).repartition("ingest_dt")
    back = F.datediff(F.col("target"), F.col("day"))
    sums = by_day.groupBy("ingest_dt", "repo_name").agg(*_window_sums(back, 7), *_window_sums(back, 28))
    ranked = _ranked(_ranked(sums, 7), 28)
    top = (F.col("rank_7d") <= TRENDING_TOP) | (F.col("rank_28d") <= TRENDING_TOP)
    return ranked.where(top).select(*TRENDING_DAILY.column_names)
