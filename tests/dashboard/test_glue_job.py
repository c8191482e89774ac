"""The publish_dashboard entry: wrong arguments are one line and exit 2.

Spark-submitted after silver and gold, it publishes the page: tests/cli/test_commands.py
(`test_spark_submit_runs_the_glue_entry_scripts_locally`), which submits every entry script once.
"""

from __future__ import annotations

import pytest

from lakehouse.dashboard.glue_job import main


def test_a_job_started_without_its_env_says_so_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["publish_dashboard.py", "--JOB_NAME", "lakehouse-dev-publish_dashboard"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("publish_dashboard: ") and "--env" in err and err.count("\n") == 1


def test_a_wrong_runtime_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["publish_dashboard.py", "--JOB_NAME", "j", "--env", "dev", "--runtime", "docker"]) == 2
    assert capsys.readouterr().err == "publish_dashboard: --runtime 'docker' is not valid: use glue or local\n"
