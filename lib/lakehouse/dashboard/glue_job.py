"""The publish_dashboard job: the daily workflow's step after gold, which puts the page in the gold bucket.

A Glue Spark job (glueetl 5.1, the smallest capacity): Glue's Python shell jobs run Python 3.9 at most
(https://docs.aws.amazon.com/glue/latest/dg/add-job-python.html) and the library needs 3.11. It asks
the questions through the job's own Spark session on the Glue Data Catalog (the same SQL as Athena's),
so it needs no Athena workgroup and pays for no scanned bytes.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from lakehouse.dashboard.publish import Page, build_page, dashboard_key, publish_to_gold
from lakehouse.dashboard.questions import DEFAULT_DAYS
from lakehouse.dashboard.spark_answers import SparkAnswers
from lakehouse.errors import UserError
from lakehouse.jobs.entry import JobArgs
from lakehouse.settings import Settings
from lakehouse.storage import write_atomically

log = logging.getLogger(__name__)


def publish_local(settings: Settings) -> str:
    """Locally (spark-submit, the Glue Docker image): the page goes to the gold folder under the root."""
    from lakehouse.runtime.local import lake_session

    with lake_session(settings, "publish_dashboard") as spark:
        page = build_page(SparkAnswers(spark), DEFAULT_DAYS, f"the local lake at {settings.root}")
    target = settings.uri("gold", dashboard_key(page.day))
    write_atomically(Path(target), page.html.encode())
    return target


def publish_glue(settings: Settings) -> str:
    """On Glue: the job's session reads the Glue Data Catalog (--enable-glue-datacatalog); boto3 puts the page."""
    import boto3
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.getOrCreate()
    spark.catalog.setCurrentDatabase(settings.database)
    page: Page = build_page(SparkAnswers(spark), DEFAULT_DAYS, f"the Glue Data Catalog, {settings.database}")
    return publish_to_gold(page, settings, boto3.client("s3"))


def main(argv: list[str]) -> int:
    """Entry of glue_jobs/publish_dashboard.py: one line on stderr and exit 2 for wrong arguments."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("py4j").setLevel(logging.WARNING)
    try:
        args = JobArgs.from_sys_argv(argv)
        settings = args.settings()
        where = publish_local(settings) if args.runtime == "local" else publish_glue(settings)
    except UserError as e:
        print(f"publish_dashboard: {e}", file=sys.stderr)
        return 2
    log.info("dashboard published: %s", where)
    return 0
