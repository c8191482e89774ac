"""The record of a job run: its counts, as one row of `github_events_runs`."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime

from lakehouse import __version__
from lakehouse.lake import Lake
from lakehouse.schemas import table_rows
from lakehouse.tables import COMPACT_JOB, REBUILD_JOB, REPLAY_JOB, RUNS

SUCCEEDED = "succeeded"
FAILED = "failed"


def new_run_id(job: str, started_at: datetime) -> str:
    return f"{job}-{started_at:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


@dataclass
class RunReport:
    """What a run did. The fields up to `code_version` are the columns of `github_events_runs`."""

    run_id: str
    job: str
    started_at: datetime
    finished_at: datetime | None = None
    status: str = FAILED
    input_objects: int = 0
    lines_read: int = 0
    silver_rows: int = 0
    quarantined: int = 0
    duplicates: int = 0
    gold_days: int = 0
    code_version: str = __version__
    quarantined_by_reason: dict[str, int] = field(default_factory=dict)
    days: list[str] = field(default_factory=list)
    partitions: list[str] = field(default_factory=list)  # compaction, rebuild, replay: the partitions rewritten
    files_written: int = 0  # compaction: the files those partitions hold now

    def row(self) -> tuple[object, ...]:
        values = asdict(self)
        return tuple(values[name] for name in RUNS.column_names)

    def as_json(self) -> dict[str, object]:
        values = asdict(self)
        if self.job not in (COMPACT_JOB, REBUILD_JOB, REPLAY_JOB):  # what only partition rewrites report
            del values["partitions"]
        if self.job != COMPACT_JOB:
            del values["files_written"]
        for key in ("started_at", "finished_at"):
            stamp = values[key]
            values[key] = stamp.isoformat().replace("+00:00", "Z") if stamp else None
        return values


def record_run(lake: Lake, report: RunReport) -> None:
    """Append the run's row to `github_events_runs` (one small file per run)."""
    lake.append(RUNS, table_rows(lake.spark, RUNS, [report.row()]))
