"""The Glue entry scripts spark-submitted locally, as on the Glue Docker image: silver, gold, the dashboard's
publishing and compaction on one root, each a spark-submit of its own."""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_commands import lakehouse
from tests.support.expected import documents, expected_run
from tests.support.lake import DATA

pytestmark = [pytest.mark.subprocess, pytest.mark.spark]


def test_spark_submit_runs_the_glue_entry_scripts_locally(tmp_path: Path) -> None:
    """Silver, gold, the dashboard's publishing and compaction, each spark-submitted as on the Glue Docker image."""
    root = tmp_path / "lake"
    day = root / "local-raw/github/events/ingest_dt=2021-07-21"
    day.mkdir(parents=True)
    sample = DATA / "gharchive" / "2021-07-21-06to09.first200each.json.gz"
    (day / "20210721T100000Z-sample.json.gz").write_bytes(sample.read_bytes())
    want = expected_run(documents(sample))  # 800 lines, 800 events
    venv_bin = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{venv_bin}{os.pathsep}{os.environ['PATH']}", "PYSPARK_PYTHON": sys.executable,
           # spark-submit starts the JVM before the script builds its session: the tests' JVM options go here
           "SPARK_SUBMIT_OPTS": os.environ["LAKEHOUSE_JVM_OPTS"]}
    repo = Path(__file__).parents[2]
    for job in ("bronze_to_silver", "silver_to_gold"):
        result = subprocess.run(
            [
                str(venv_bin / "spark-submit"),
                str(repo / "glue_jobs" / f"{job}.py"),
                "--JOB_NAME",
                job,
                "--env",
                "local",
                "--root",
                str(root),
                "--job-bookmark-option",
                "job-bookmark-enable",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            env=env,
        )
        assert result.returncode == 0, result.stderr[-3000:]
    published = subprocess.run(
        [str(venv_bin / "spark-submit"), str(repo / "glue_jobs" / "publish_dashboard.py"), "--JOB_NAME",
         "publish_dashboard", "--env", "local", "--root", str(root)],
        capture_output=True, text=True, timeout=600, env=env,
    )  # fmt: skip
    assert published.returncode == 0, published.stderr[-3000:]
    page = (root / "local-gold" / "dashboards" / "2021-07-21.html").read_text()
    data = re.search(r'<script type="application/json" id="dashboard-answers">(.*?)</script>', page, re.S)
    assert data is not None
    [totals] = json.loads(data.group(1))["daily_totals"]
    events = want.events
    stars = sum(1 for e in events if e["type"] == "WatchEvent" and e["payload"].get("action") == "started")
    assert (totals["ingest_dt"], totals["events"], totals["stars"]) == ("2021-07-21", len(events), stars)
    compact = subprocess.run(
        [str(venv_bin / "spark-submit"), str(repo / "glue_jobs" / "bronze_to_silver.py"), "--JOB_NAME", "c",
         "--env", "local", "--root", str(root), "--mode", "compact"],
        capture_output=True, text=True, timeout=600, env=env,
    )  # fmt: skip
    assert compact.returncode == 0, compact.stderr[-3000:]
    report = lakehouse(
        root,
        "query",
        "SELECT job, lines_read, silver_rows, gold_days FROM github_events_runs ORDER BY started_at",
        "--format",
        "json",
    )
    assert [json.loads(line) for line in report.stdout.splitlines()] == [
        {"job": "bronze_to_silver", "lines_read": want.lines_read, "silver_rows": want.silver_rows, "gold_days": 0},
        {"job": "silver_to_gold", "lines_read": 0, "silver_rows": 0, "gold_days": 1},
        {"job": "compact_silver", "lines_read": 0, "silver_rows": 0, "gold_days": 0},
    ]
    assert gzip.decompress((day / "20210721T100000Z-sample.json.gz").read_bytes()).count(b"\n") == want.lines_read

    missing_env = subprocess.run(
        [sys.executable, str(repo / "glue_jobs" / "bronze_to_silver.py"), "--JOB_NAME", "x"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert missing_env.returncode == 2
    assert missing_env.stderr.strip() == (
        "bronze_to_silver: the following arguments are required: --env (a job takes --JOB_NAME NAME --env ENV)"
    )
