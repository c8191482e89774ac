"""Publishing the page: answers from a source, the page rendered, and where it goes (a file, or the gold bucket)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lakehouse.dashboard.answers import Answers, Source, ask_all
from lakehouse.dashboard.page import render
from lakehouse.settings import Settings

log = logging.getLogger(__name__)

DASHBOARDS_PREFIX = "dashboards"  # in the gold bucket: dashboards/<day>.html


@dataclass(frozen=True)
class Page:
    """A rendered page and the newest ingest day it shows (its name in the gold bucket)."""

    html: str
    day: str
    answers: Answers


def newest_day(answers: Answers) -> str:
    """The newest ingest day of the marts, else today (UTC): the day a published page is named after."""
    totals = answers["daily_totals"]
    return str(totals[-1]["ingest_dt"]) if totals else datetime.now(UTC).date().isoformat()


def build_page(source: Source, days: int, described_as: str) -> Page:
    """Ask every question of one source and draw the page."""
    answers = ask_all(source, days)
    written = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return Page(render(answers, days, written, described_as), newest_day(answers), answers)


def dashboard_key(day: str) -> str:
    return f"{DASHBOARDS_PREFIX}/{day}.html"


def publish_to_gold(page: Page, settings: Settings, s3: Any) -> str:
    """Put the page in the gold bucket. No encryption header: the object gets the bucket's default, SSE-KMS under
    the project key, as every other gold object (https://docs.aws.amazon.com/AmazonS3/latest/userguide/
    bucket-encryption.html; the bucket policy denies any other encryption asked for)."""
    key = dashboard_key(page.day)
    s3.put_object(Bucket=settings.bucket("gold"), Key=key, Body=page.html.encode(), ContentType="text/html")
    uri = settings.uri("gold", key)
    log.info("dashboard published: %s (%d bytes)", uri, len(page.html.encode()))
    return uri
