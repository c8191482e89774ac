"""The publish_dashboard entry: wrong arguments are one line and exit 2; spark-submitted, it publishes the page."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from lakehouse.dashboard.glue_job import main
from tests.support.expected import documents, expected_run
from tests.support.lake import DATA


def test_a_job_started_without_its_env_says_so_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["publish_dashboard.py", "--JOB_NAME", "lakehouse-dev-publish_dashboard"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("publish_dashboard: ") and "--env" in err and err.count("\n") == 1


def test_a_wrong_runtime_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["publish_dashboard.py", "--JOB_NAME", "j", "--env", "dev", "--runtime", "docker"]) == 2
    assert capsys.readouterr().err == "publish_dashboard: --runtime 'docker' is not valid: use glue or local\n"


@pytest.mark.spark
@pytest.mark.subprocess
def test_spark_submit_of_the_entry_script_publishes_the_page_into_the_gold_folder(tmp_path: Path) -> None:
    """Silver and gold, then publish_dashboard, each spark-submitted as on the Glue Docker image (local runtime)."""
    root = tmp_path / "lake"
    day = root / "local-raw/github/events/ingest_dt=2021-07-21"
    day.mkdir(parents=True)
    sample = DATA / "gharchive" / "2021-07-21-06to09.first200each.json.gz"
    (day / "20210721T100000Z-sample.json.gz").write_bytes(sample.read_bytes())
    events = expected_run(documents(sample)).events
    venv_bin = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{venv_bin}{os.pathsep}{os.environ['PATH']}", "PYSPARK_PYTHON": sys.executable}
    for job in ("bronze_to_silver", "silver_to_gold", "publish_dashboard"):
        script = Path(__file__).parents[2] / "glue_jobs" / f"{job}.py"
        argv = [str(venv_bin / "spark-submit"), str(script), "--JOB_NAME", job, "--env", "local", "--root", str(root)]
        result = subprocess.run(argv, capture_output=True, text=True, timeout=600, env=env)
        assert result.returncode == 0, result.stderr[-3000:]
    page = (root / "local-gold" / "dashboards" / "2021-07-21.html").read_text()
    data = re.search(r'<script type="application/json" id="dashboard-answers">(.*?)</script>', page, re.S)
    assert data is not None
    [totals] = json.loads(data.group(1))["daily_totals"]
    stars = sum(1 for e in events if e["type"] == "WatchEvent" and e["payload"].get("action") == "started")
    assert (totals["ingest_dt"], totals["events"], totals["stars"]) == ("2021-07-21", len(events), stars)
