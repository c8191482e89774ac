"""`lakehouse dashboard`: mistakes are one line and exit 2 before any engine starts; --env reads Athena (moto)."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest

from lakehouse.cli import main
from lakehouse.dashboard.questions import QUESTIONS


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["dashboard", "--days", "0"], "lakehouse: --days 0 is not valid: give a number of days of at least 1\n"),
        (["--root", "r", "dashboard", "--env", "dev"],
         "lakehouse: dashboard takes --root (the local lake) or --env (a deployed env), not both\n"),
        (["dashboard", "--env", "Dev_1"], "lakehouse: env 'Dev_1' is not valid: use 2 to 21 characters"),
    ],
)  # fmt: skip
def test_a_mistake_is_one_line_and_exit_2(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert capsys.readouterr().err.startswith(message)


def test_root_and_env_after_the_command_exclude_each_other(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["dashboard", "--root", "r", "--env", "dev"])
    assert stopped.value.code == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_env_writes_the_page_from_athena_in_the_deployed_workgroup(aws: str, tmp_path: Path) -> None:
    boto3.client("athena").create_work_group(Name="lakehouse-dev-workgroup")
    out = tmp_path / "page.html"
    assert main(["dashboard", "--env", "dev", "--out", str(out)]) == 0
    executions = boto3.client("athena").list_query_executions(WorkGroup="lakehouse-dev-workgroup")
    assert len(executions["QueryExecutionIds"]) == 1 + len(QUESTIONS)  # SHOW PARTITIONS for the newest day, then each
    html = out.read_text()
    assert html.startswith("<!DOCTYPE html>") and "Athena, workgroup lakehouse-dev-workgroup" in html
    assert "No day in the marts yet" in html  # moto answers nothing unless seeded
