"""The dashboard page in headless Chromium: opened from disk it draws every chart, logs no error, asks the network
for nothing, and shows the figures a recount of silver gives (read back from the page's DOM and plot data), over
28 days (both ingest days) and, with 1 day, over the newest ingest day only."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from lakehouse.dashboard.answers import ask_all
from lakehouse.dashboard.figures import WEEKDAYS
from lakehouse.dashboard.page import HEADLINE, render
from lakehouse.dashboard.questions import TOP
from lakehouse.dashboard.spark_answers import SparkAnswers
from lakehouse.ingest.files import ingest_file
from lakehouse.settings import Settings
from lakehouse.tables import GOLD_JOB, QUARANTINE, SILVER, SILVER_JOB
from tests.support.lake import ARRIVAL, DATA, run, table

pytestmark = pytest.mark.subprocess  # Chromium is a child process (the spark fixture marks spark)
DAYS = ("2015-01-01", "2015-01-02")  # two ingest days: the newest is shown against the one before
# The demo's samples over those days: an hour of 2015-01-01, then 1,024 events of another hour and 2012's old format.
SAMPLES = (
    ("gharchive/2015-01-01-0.json.gz",),
    ("gharchive/2015-01-01-15.first1024.json.gz", "schema-drift/gharchive-2012-08-26-oldschema.json.gz"),
)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Where the page and its screenshot are kept after the run (build/ is ignored by git): $LAKEHOUSE_TEST_OUTPUT, else
# build/test-output (pytest's own temporary folders are shared with other runs and pruned by them).
OUTPUT = Path(os.environ.get("LAKEHOUSE_TEST_OUTPUT") or Path(__file__).parents[2] / "build" / "test-output")
CHARTS = ("chart-event-mix", "chart-heat-map", "chart-most-starred", "chart-trending", "chart-runs", "chart-quarantine")


@dataclass
class Opened:
    """The page open in Chromium, and what it did: console messages, page errors, requests."""

    page: Page
    url: str
    console: list[tuple[str, str]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def plot(self, div: str) -> list[dict[str, Any]]:
        """The traces plotly drew in a chart: name, x, y and z, as the page holds them."""
        traces = "t => ({name: t.name, x: Array.from(t.x || []), y: Array.from(t.y || []), z: t.z || null})"
        return list(self.page.evaluate(f"document.getElementById('{div}').data.map({traces})"))

    def cells(self, table_id: str) -> list[list[str]]:
        script = f"Array.from(document.querySelectorAll('#{table_id} tbody tr')).map(r => "
        return list(self.page.evaluate(script + "Array.from(r.cells).map(c => c.textContent))"))


@pytest.fixture(scope="module")
def lake(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Real GH Archive events over two ingest days (and 2012's old format, quarantined), silver and gold run."""
    settings = Settings.local(tmp_path_factory.mktemp("dashboard") / "lake", env="dash")
    for day, files in zip(DAYS, SAMPLES, strict=True):
        for name in files:
            ingest_file(DATA / name, Path(settings.uri("raw")), date.fromisoformat(day), ARRIVAL)
    run(spark, settings, SILVER_JOB)
    run(spark, settings, GOLD_JOB)
    return settings


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _open(spark: SparkSession, lake: Settings, browser: Browser, days: int, name: str) -> Opened:
    """The page of the lake's newest `days` ingest days, asked through Spark as the command asks, open in Chromium."""
    spark.catalog.setCurrentDatabase(lake.database)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / name
    path.write_text(render(ask_all(SparkAnswers(spark), days), days, "now", "the test lake"))
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    found = Opened(page, path.as_uri())
    page.on("console", lambda m: found.console.append((m.type, m.text)))
    page.on("pageerror", lambda e: found.console.append(("pageerror", str(e))))
    page.on("request", lambda r: found.requests.append(r.url))
    page.goto(found.url)
    page.wait_for_function(f"document.querySelectorAll('.js-plotly-plot').length == {len(CHARTS)}")
    page.screenshot(path=str(path.with_suffix(".png")), full_page=True)
    print(f"screenshot: {path.with_suffix('.png')}")
    return found


@pytest.fixture(scope="module")
def opened(spark: SparkSession, lake: Settings, browser: Browser) -> Opened:
    return _open(spark, lake, browser, 28, "dashboard.html")


@pytest.fixture(scope="module")
def opened_one_day(spark: SparkSession, lake: Settings, browser: Browser) -> Opened:
    return _open(spark, lake, browser, 1, "dashboard-1-day.html")


def _silver(spark: SparkSession, lake: Settings) -> DataFrame:
    return table(spark, lake, SILVER)


def test_every_chart_is_drawn_with_no_error_and_no_request_but_the_file(opened: Opened) -> None:
    drawn = opened.page.evaluate(f"{list(CHARTS)}.map(id => document.querySelectorAll("
                                 "'#' + id + ' svg.main-svg').length > 0)")  # fmt: skip
    assert dict(zip(CHARTS, drawn, strict=True)) == dict.fromkeys(CHARTS, True)
    assert [m for m in opened.console if m[0] in ("error", "pageerror")] == []
    assert opened.requests == [opened.url]


def test_the_headline_is_the_newest_day_recounted_from_silver(
    spark: SparkSession, lake: Settings, opened: Opened
) -> None:
    events = _silver(spark, lake).where(F.col("ingest_dt") == DAYS[1])
    t, a = F.col("event_type"), F.col("action")
    counts = events.agg(
        F.count("*").alias("events"), F.countDistinct("repo_name").alias("repos"),
        F.count(F.when((t == "WatchEvent") & (a == "started"), 1)).alias("stars"),
        F.count(F.when(t == "ForkEvent", 1)).alias("forks"), F.count(F.when(t == "PushEvent", 1)).alias("pushes"),
        F.count(F.when((t == "PullRequestEvent") & (a == "opened"), 1)).alias("prs_opened"),
        F.count(F.when((t == "PullRequestEvent") & (a == "closed") & F.col("pr_merged"), 1)).alias("prs_merged"),
        F.count(F.when((t == "IssuesEvent") & (a == "opened"), 1)).alias("issues_opened"),
        F.count(F.when(t.isin("IssueCommentEvent", "CommitCommentEvent", "PullRequestReviewCommentEvent"), 1))
        .alias("comments"),
        F.count(F.when(t == "ReleaseEvent", 1)).alias("releases"),
    ).first()  # fmt: skip
    shown = opened.page.evaluate("Object.fromEntries(Array.from(document.querySelectorAll('#headline .card'))"
                                 ".map(c => [c.dataset.figure, Number(c.dataset.value)]))")  # fmt: skip
    assert counts is not None and shown == {column: counts[column] for column, _ in HEADLINE}
    assert opened.page.get_attribute("#headline", "data-day") == DAYS[1]


def _heat(events: DataFrame) -> list[list[int]]:
    """Events per weekday (Monday first) and UTC hour of created_at."""
    by_slot = events.groupBy(
        ((F.dayofweek("created_at") + 5) % 7).alias("weekday"), F.hour("created_at").alias("hour")  # Monday = 0
    ).count()  # fmt: skip
    expected = [[0] * 24 for _ in WEEKDAYS]
    for row in by_slot.collect():
        expected[row["weekday"]][row["hour"]] = row["count"]
    return expected


def _mix(events: DataFrame) -> dict[tuple[str, str], int]:
    """Events per (event type, UTC day of creation)."""
    rows = events.groupBy(F.col("event_date").cast("string").alias("day"), "event_type").count()
    return {(r["event_type"], r["day"]): r["count"] for r in rows.collect()}


def _mix_shown(opened: Opened) -> dict[tuple[str, str], int]:
    return {(t["name"], x): y for t in opened.plot("chart-event-mix") for x, y in zip(t["x"], t["y"], strict=True)}


def _reasons_shown(opened: Opened) -> dict[str, int]:
    [bars] = opened.plot("chart-quarantine")
    return dict(zip(bars["x"], bars["y"], strict=True))


def test_the_heat_map_is_silvers_events_by_weekday_and_hour(
    spark: SparkSession, lake: Settings, opened: Opened
) -> None:
    [heat] = opened.plot("chart-heat-map")
    assert heat["z"] == _heat(_silver(spark, lake))


def test_the_event_mix_is_silvers_events_by_day_and_type(spark: SparkSession, lake: Settings, opened: Opened) -> None:
    assert _mix_shown(opened) == _mix(_silver(spark, lake))


def _stars(events: DataFrame) -> list[list[str]]:
    """The top repositories by new stars (WatchEvent started), ties by name: [name, stars] as the page prints them."""
    starred = events.where((F.col("event_type") == "WatchEvent") & (F.col("action") == "started"))
    top = starred.groupBy("repo_name").count().orderBy(F.desc("count"), "repo_name").limit(TOP).collect()
    return [[r["repo_name"], f"{r['count']:,}"] for r in top]


def test_most_starred_and_trending_are_silvers_stars(spark: SparkSession, lake: Settings, opened: Opened) -> None:
    silver = _silver(spark, lake)
    assert [row[:2] for row in opened.cells("table-most-starred")] == _stars(
        silver.where(F.col("ingest_dt") == DAYS[1])
    )
    assert [row[1:3] for row in opened.cells("table-trending")] == _stars(silver)  # both days are in the 7-day window


def test_the_lakes_health_is_its_runs_and_quarantine(spark: SparkSession, lake: Settings, opened: Opened) -> None:
    reasons = table(spark, lake, QUARANTINE).groupBy("reason").count().collect()
    assert _reasons_shown(opened) == {r["reason"]: r["count"] for r in reasons}
    lines = spark.sql("SELECT job, lines_read FROM github_events_runs").collect()
    shown = sorted((row[0], row[3].replace(",", "")) for row in opened.cells("table-runs"))
    assert shown == sorted((r["job"], str(r["lines_read"])) for r in lines)


def test_one_day_shows_only_the_newest_ingest_day_against_the_day_before(
    spark: SparkSession, lake: Settings, opened_one_day: Opened
) -> None:
    silver = _silver(spark, lake)
    newest = silver.where(F.col("ingest_dt") == DAYS[1])
    assert silver.where(F.col("ingest_dt") == DAYS[0]).count() > 0  # the older day is there, to be left out
    [heat] = opened_one_day.plot("chart-heat-map")
    assert heat["z"] == _heat(newest)
    assert _mix_shown(opened_one_day) == _mix(newest)
    reasons = table(spark, lake, QUARANTINE).where(F.col("ingest_dt") == DAYS[1]).groupBy("reason").count()
    assert _reasons_shown(opened_one_day) == {r["reason"]: r["count"] for r in reasons.collect()}
    assert [row[:2] for row in opened_one_day.cells("table-most-starred")] == _stars(newest)
    assert [row[1:3] for row in opened_one_day.cells("table-trending")] == _stars(silver)  # the mart's own 7 days
    # the headline is still the newest day against the day before, which is all the page holds of that day
    assert opened_one_day.page.get_attribute("#headline", "data-day") == DAYS[1]
    assert opened_one_day.page.text_content("h2") == f"{DAYS[1]} against {DAYS[0]}"
    answers = json.loads(opened_one_day.page.text_content("#dashboard-answers") or "{}")
    assert [r["ingest_dt"] for r in answers["daily_totals"]] == list(DAYS)
    assert [m for m in opened_one_day.console if m[0] in ("error", "pageerror")] == []
