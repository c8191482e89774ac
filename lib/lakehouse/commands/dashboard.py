"""`lakehouse dashboard [--root DIR | --env ENV] [--days N] [--out FILE]`: write the dashboard page.

Locally the questions run through one Spark session on the local lake; with --env they run through
Athena in the env's deployed workgroup, opting in to query result reuse.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

from lakehouse.dashboard.publish import Page, build_page
from lakehouse.errors import UserError
from lakehouse.settings import Settings, validate_env
from lakehouse.storage import write_atomically

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

log = logging.getLogger("lakehouse")

LOCAL_PAGE = "dashboard.html"  # under the data root


def page_of_session(spark: SparkSession, settings: Settings, days: int) -> Page:
    """The page of the local lake from a session already open on it (the demo's, or the command's own)."""
    from lakehouse.dashboard.spark_answers import SparkAnswers

    return build_page(SparkAnswers(spark), days, f"the local lake at {settings.root}")


def local_page(settings: Settings, days: int) -> Page:
    """The page of the local lake, every question through one Spark session."""
    from lakehouse.runtime.local import lake_session

    with lake_session(settings, "lakehouse-dashboard") as spark:
        return page_of_session(spark, settings, days)


def write_page(page: Page, target: Path) -> Path:
    """Write the page whole (atomically) and say where it is."""
    write_atomically(target, page.html.encode())
    print(f"dashboard written: {target.resolve()} ({len(page.html.encode()) / 1e6:.1f} MB, open it in a browser)")
    return target


def athena_page(env: str, days: int, region: str | None = None) -> Page:
    """The page of a deployed env, every question through Athena in the env's workgroup."""
    try:
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError as e:
        raise UserError("--env needs boto3: pip install 'lakehouse[aws]'") from e
    from lakehouse.dashboard.athena_answers import REUSE_MINUTES, AthenaAnswers

    validate_env(env)
    try:
        session = boto3.Session(region_name=region)
        account = session.client("sts").get_caller_identity()["Account"]
        settings = Settings.aws(env, account, session.region_name or "")
        source = AthenaAnswers(session.client("athena"), settings, REUSE_MINUTES)
        return build_page(source, days, f"Athena, workgroup {settings.resource_name('workgroup')}")
    except (BotoCoreError, ClientError) as e:
        fix = "check the AWS credentials and region (AWS_PROFILE, AWS_REGION) and that the env is deployed"
        raise UserError(f"Athena could not answer the dashboard for env {env}: {e} ({fix})") from e


def dashboard(settings: Settings, env: str | None, days: int, out: Path | None) -> int:
    if days < 1:
        raise UserError(f"--days {days} is not valid: give a number of days of at least 1")
    started = time.monotonic()
    page = athena_page(env, days) if env else local_page(settings, days)
    target = out or (Path(f"dashboard-{env}.html") if env else Path(str(settings.root)) / LOCAL_PAGE)
    write_page(page, target)
    log.info("dashboard of %s in %.1f s", page.day, time.monotonic() - started)
    return 0
