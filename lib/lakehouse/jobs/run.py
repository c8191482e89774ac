"""Running a job: make sure the tables exist, run it, record the run, then commit the bookmark."""

from __future__ import annotations

import logging
from collections.abc import Callable

from py4j.protocol import Py4JError
from pyspark.errors import PySparkException

from lakehouse.catalog import ensure_tables
from lakehouse.jobs.compact import compact_silver
from lakehouse.jobs.gold import silver_to_gold
from lakehouse.jobs.runs import FAILED, SUCCEEDED, RunReport, new_run_id, record_run
from lakehouse.jobs.silver import bronze_to_silver
from lakehouse.layout import utc_now
from lakehouse.runtime.base import Runtime
from lakehouse.tables import COMPACT_JOB, GOLD_JOB, SILVER_JOB

log = logging.getLogger(__name__)

JOBS: dict[str, Callable[[Runtime, RunReport], RunReport]] = {
    SILVER_JOB: bronze_to_silver,
    GOLD_JOB: silver_to_gold,
    COMPACT_JOB: compact_silver,
}


def run_job(runtime: Runtime, run_id: str | None = None) -> RunReport:
    """Run `runtime.job` once. The bookmark is committed only after every write and the run's record."""
    started = utc_now()
    report = RunReport(run_id or new_run_id(runtime.job, started), runtime.job, started)
    ensure_tables(runtime.spark, runtime.settings)
    try:
        JOBS[runtime.job](runtime, report)
    except BaseException:
        _record_failure(runtime, report)
        raise
    report.finished_at = utc_now()
    report.status = SUCCEEDED
    record_run(runtime.spark, runtime.settings, report)
    runtime.commit()
    return report


def _record_failure(runtime: Runtime, report: RunReport) -> None:
    """Record a failed run with zero counts (nothing of it is committed); never hide the job's error."""
    failed = RunReport(report.run_id, report.job, report.started_at, utc_now(), FAILED)
    try:
        record_run(runtime.spark, runtime.settings, failed)
    except (PySparkException, Py4JError) as e:
        log.error("could not record the failed run %s: %s", report.run_id, e)
