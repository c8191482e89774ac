"""`lakehouse rebuild silver` and `lakehouse replay quarantine`: derive again what bronze and today's code give."""

from __future__ import annotations

import json
import logging

from lakehouse.bookmarks import BookmarkOption
from lakehouse.commands.run import describe
from lakehouse.jobs.rebuild import dry_run
from lakehouse.jobs.run_record import RunReport
from lakehouse.jobs.runner import run_job
from lakehouse.jobs.scope import Scope
from lakehouse.runtime.local import LocalRuntime, local_session
from lakehouse.settings import Settings
from lakehouse.tables import GOLD_JOB, REBUILD_JOB

log = logging.getLogger("lakehouse")


def _show(report: RunReport, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        rewritten = f"; rewrote {', '.join(report.partitions)}" if report.partitions else ""
        print(describe(report) + rewritten)


def _show_plan(plan: dict[str, object], as_json: bool) -> None:
    if as_json:
        print(json.dumps(plan, ensure_ascii=False))
        return
    partitions = plan["partitions"]
    assert isinstance(partitions, list)
    print(f"rebuild_silver would rebuild {len(partitions)} partition(s):")
    for part in partitions:
        print(f"  {part['partition']}: ingest days {', '.join(part['ingest_days'])}; "
              f"{len(part['bronze_objects'])} bronze object(s)")
        for name in part["bronze_objects"]:
            print(f"    {name}")


def rebuild(settings: Settings, scope: Scope, with_gold: bool, as_json: bool) -> int:
    """Rebuild the scope's silver partitions (or say what that would read); then gold, if asked."""
    with local_session(settings) as spark:
        runtime = LocalRuntime.create(spark, settings, REBUILD_JOB, BookmarkOption.DISABLE)
        if scope.dry_run:
            _show_plan(dry_run(runtime, scope), as_json)
            return 0
        _show(run_job(runtime, scope=scope), as_json)
        if with_gold:
            _show(run_job(LocalRuntime.create(spark, settings, GOLD_JOB, BookmarkOption.ENABLE)), as_json)
    return 0


def replay(settings: Settings, job: str, scope: Scope, as_json: bool) -> int:
    """Judge the scope's quarantined lines again; those now valid go to silver, once."""
    with local_session(settings) as spark:
        _show(run_job(LocalRuntime.create(spark, settings, job, BookmarkOption.DISABLE), scope=scope), as_json)
    return 0
