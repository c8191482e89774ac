"""Scenario 4: files per silver month partition and per gold day after 24 hourly runs, and compaction."""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

from bench.generate import FIRST_ID, START, generate
from bench.lakes import lakehouse
from bench.timing import BenchError, timed
from lakehouse.settings import Settings
from lakehouse.tables import GOLD_DAILY, SILVER

HOURS = 24
CHECKSUM = (
    "SELECT COUNT(*) AS rows, COUNT(DISTINCT event_id) AS ids, SUM(CAST(xxhash64(event_id, event_type, event_date, "
    "repo_name, actor_login, created_at, ingest_dt, repo_id, actor_id, org_login, is_public, year, month) AS "
    "DECIMAL(38, 0))) AS checksum FROM github_events_silver"
)


def hourly(root: Path, hours: int, per_hour: int) -> None:
    """`hours` silver runs, one per new hour object, then gold: all in one Spark session (the file count
    of a run does not depend on its process, and 24 JVM starts would only slow the benchmark)."""
    from lakehouse.bookmarks import BookmarkOption
    from lakehouse.jobs.runner import run_job
    from lakehouse.runtime.local import LocalRuntime, local_spark, root_lock
    from lakehouse.tables import GOLD_JOB, SILVER_JOB

    lake = Settings.local(root)
    with root_lock(lake):
        spark = local_spark(lake)
        try:
            for n in range(hours):
                generate(lake, per_hour, 1, start=START + timedelta(hours=n), seed=n, first_id=FIRST_ID + n * per_hour)
                run_job(LocalRuntime.create(spark, lake, SILVER_JOB, BookmarkOption.ENABLE))
            run_job(LocalRuntime.create(spark, lake, GOLD_JOB, BookmarkOption.ENABLE))
        finally:
            spark.stop()


def file_counts(root: Path) -> dict[str, dict[str, int]]:
    """Parquet files per silver year/month folder (wherever it lives) and per gold day."""
    lake = Settings.local(root)
    silver: Counter[str] = Counter()
    for path in Path(SILVER.location(lake)).rglob("*.parquet"):
        match = re.search(r"(year=\d+/month=\d+)/[^/]+$", path.as_posix())
        if match:
            silver[match.group(1)] += 1
    gold = Counter(p.parent.name for p in Path(GOLD_DAILY.location(lake)).glob("ingest_dt=*/*.parquet"))
    return {"silver_per_month": dict(sorted(silver.items())), "gold_per_day": dict(sorted(gold.items()))}


def checksum(root: Path) -> dict[str, object]:
    _, out = timed(["-m", "lakehouse.cli", "--root", str(root), "query", CHECKSUM, "--format", "json"])
    row: dict[str, object] = json.loads(out.splitlines()[0])
    return row


def scenario(work: Path, per_hour: int) -> dict[str, object]:
    """24 hourly runs, then `lakehouse compact silver`: files before and after, rows unchanged."""
    root = work / "files"
    timed(["-m", "bench.files", str(root), str(HOURS), str(per_hour)])
    before, rows_before = file_counts(root), checksum(root)
    seconds, [report] = lakehouse(root, "compact", "silver")
    after, rows_after = file_counts(root), checksum(root)
    if rows_after != rows_before:
        raise BenchError(f"compaction changed silver: {rows_before} -> {rows_after}")
    return {
        "hourly_runs": HOURS,
        "events_per_hour": per_hour,
        "before": before,
        "after_compaction": after,
        "compaction_s": round(seconds, 3),
        "compaction_report": {k: report[k] for k in ("input_objects", "files_written", "silver_rows", "partitions")},
        "silver_unchanged": rows_before,
    }


if __name__ == "__main__":
    hourly(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
