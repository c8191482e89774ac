"""The workflows of the lake: hourly bronze→silver; daily silver→gold, compaction, drift crawlers; rebuild.

Schedules are UTC. The hourly run starts at minute 10 and the daily one at 02:40, so the two never
start at the same minute; the jobs also have MaxConcurrentRuns 1 with run queuing, so a run that
overruns is queued, never run beside another run of the same job (compaction and rebuilds included,
see below). The rebuild workflow has no schedule: it is started by hand, after a change to the code.
"""

from __future__ import annotations

from lakehouse.tables import (
    BRONZE,
    DASHBOARD_JOB,
    GOLD_JOB,
    GOLD_TABLES,
    QUARANTINE,
    SILVER,
    SILVER_JOB,
)
from workflows.model import Crawler, Step, Workflow

RAW_DRIFT = Crawler(
    name="drift-raw",
    tables=(BRONZE.name,),
    description="Discovers schema drift in raw GitHub events (new fields); never changes deployed tables.",
)
CURATED_DRIFT = Crawler(
    name="drift-curated",
    tables=(SILVER.name, QUARANTINE.name, *(t.name for t in GOLD_TABLES)),
    description="Discovers drift between what the jobs write and the deployed schemas.",
)
CRAWLERS: tuple[Crawler, ...] = (RAW_DRIFT, CURATED_DRIFT)

# Compaction is a mode of the bronze_to_silver job, not a job of its own: the job's MaxConcurrentRuns 1
# with run queuing then guarantees that it never rewrites a silver partition while an hourly run appends
# to it. It reads no new input, so it runs without the bookmark.
COMPACTION = {"--mode": "compact", "--job-bookmark-option": "job-bookmark-disable"}

# A rebuild is a mode of bronze_to_silver for the same reason as compaction; it reads bronze by ingest day,
# not through the bookmark. Started without --from/--to it rebuilds every silver partition; for a range,
# start the job itself with --mode rebuild --from ... --to ... (then silver_to_gold).
REBUILD_MODE = {"--mode": "rebuild", "--job-bookmark-option": "job-bookmark-disable"}

HOURLY = Workflow(
    name="hourly",
    description="Every hour: new bronze objects become silver rows (and quarantine).",
    schedule="cron(10 * * * ? *)",
    steps=(Step(SILVER_JOB, "job"),),
    run_properties={"cadence": "hourly"},
)

DAILY = Workflow(
    name="daily",
    description=(
        "Every day: gold recomputed for the days silver touched, then the dashboard page published to gold "
        "and silver's small files compacted, then the schema-drift crawlers."
    ),
    schedule="cron(40 2 * * ? *)",
    steps=(
        Step(GOLD_JOB, "job"),
        Step(DASHBOARD_JOB, "job", depends_on=(GOLD_JOB,)),
        Step(SILVER_JOB, "job", depends_on=(GOLD_JOB,), arguments=COMPACTION),
        Step(RAW_DRIFT.name, "crawler", depends_on=(SILVER_JOB,)),
        Step(CURATED_DRIFT.name, "crawler", depends_on=(SILVER_JOB,)),
    ),
    run_properties={"cadence": "daily"},
)

REBUILD = Workflow(
    name="rebuild",
    description="On demand: every silver partition derived again from bronze under the deployed code, then gold.",
    schedule=None,
    steps=(Step(SILVER_JOB, "job", arguments=REBUILD_MODE), Step(GOLD_JOB, "job", depends_on=(SILVER_JOB,))),
    run_properties={"cadence": "on-demand"},
)

WORKFLOWS: tuple[Workflow, ...] = (HOURLY, DAILY, REBUILD)
