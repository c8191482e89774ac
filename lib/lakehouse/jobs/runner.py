"""Running a job: run it, record the run, then commit the bookmark."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from lakehouse.jobs.compact import compact_silver
from lakehouse.jobs.gold import silver_to_gold
from lakehouse.jobs.rebuild import rebuild_silver
from lakehouse.jobs.replay import replay_quarantine
from lakehouse.jobs.run_record import FAILED, SUCCEEDED, RunReport, new_run_id, record_run
from lakehouse.jobs.scope import Scope
from lakehouse.jobs.silver import bronze_to_silver
from lakehouse.layout import utc_now
from lakehouse.runtime.base import Runtime
from lakehouse.tables import COMPACT_JOB, GOLD_JOB, REBUILD_JOB, REPLAY_JOB, SILVER_JOB

log = logging.getLogger(__name__)

Work = Callable[[Runtime, RunReport], RunReport]


def work_of(job: str, scope: Scope | None = None) -> Work:
    """The function that does a job's work (a rebuild's or replay's over `scope`: every ingest day if None)."""
    if job == REBUILD_JOB:
        return partial(rebuild_silver, scope=scope or Scope())
    if job == REPLAY_JOB:
        return partial(replay_quarantine, scope=scope or Scope())
    if job == SILVER_JOB:
        return bronze_to_silver
    if job == GOLD_JOB:
        return silver_to_gold
    if job == COMPACT_JOB:
        return compact_silver
    jobs = ", ".join((SILVER_JOB, GOLD_JOB, COMPACT_JOB, REBUILD_JOB, REPLAY_JOB))
    raise ValueError(f"no job is called {job!r}: use one of {jobs}")


def run_job(runtime: Runtime, run_id: str | None = None, scope: Scope | None = None) -> RunReport:
    """Run `runtime.job` once. The bookmark is committed only after every write and the run's record."""
    work = work_of(runtime.job, scope)
    started = utc_now()
    report = RunReport(run_id or new_run_id(runtime.job, started), runtime.job, started)
    try:
        work(runtime, report)
    except BaseException:
        _record_failure(runtime, report)
        raise
    report.finished_at = utc_now()
    report.status = SUCCEEDED
    record_run(runtime.lake, report)
    runtime.commit()
    return report


def _record_failure(runtime: Runtime, report: RunReport) -> None:
    """Record a failed run with zero counts (nothing of it is committed); never hide the job's error."""
    failed = RunReport(report.run_id, report.job, report.started_at, utc_now(), FAILED)
    try:
        record_run(runtime.lake, failed)
    except Exception as e:  # Spark's error, or its JVM gone: the job's own error is the one to raise
        log.error("could not record the failed run %s: %s", report.run_id, e)
