"""`lakehouse run silver|gold|all` and `lakehouse compact silver`."""

from __future__ import annotations

import json
import logging

from lakehouse.bookmarks import BookmarkOption
from lakehouse.jobs.run_record import RunReport
from lakehouse.jobs.runner import run_job
from lakehouse.runtime.local import LocalRuntime, local_session
from lakehouse.settings import Settings
from lakehouse.tables import COMPACT_JOB, GOLD_JOB

log = logging.getLogger("lakehouse")


def describe(report: RunReport) -> str:
    """A run's counts in one line."""
    if report.job == COMPACT_JOB:
        return (
            f"{report.job}: rewrote {len(report.partitions)} partition(s): {report.input_objects} file(s) -> "
            f"{report.files_written}, {report.silver_rows} rows"
        )
    if report.job == GOLD_JOB:
        return (
            f"{report.job}: recomputed {report.gold_days} day(s) of gold "
            f"from {report.input_objects} silver partition(s)"
        )
    reasons = ", ".join(f"{r} {n}" for r, n in report.quarantined_by_reason.items()) or "none"
    return (
        f"{report.job}: {report.lines_read} lines from {report.input_objects} object(s) -> "
        f"{report.silver_rows} new silver rows, {report.duplicates} duplicates, "
        f"{report.quarantined} quarantined ({reasons})"
    )


def run_jobs(settings: Settings, jobs: tuple[str, ...], option: BookmarkOption, as_json: bool) -> int:
    """Run the jobs in turn on one Spark session; each opens the catalog only if it has work."""
    with local_session(settings) as spark:
        for job in jobs:
            log.info("running %s ...", job)
            report = run_job(LocalRuntime.create(spark, settings, job, option))
            if as_json:
                print(json.dumps(report.as_json(), ensure_ascii=False))
            else:
                print(describe(report))
    return 0
