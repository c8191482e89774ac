"""The `lakehouse` command's answers to a user's mistakes, a root whose path holds a space, no Java, and a Spark
that runs out of memory.

Each test has its own data root (apart from tests/cli/test_commands.py's shared lake, so that under xdist
these run on either worker).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from filelock import FileLock

from tests.cli.test_commands import lakehouse
from tests.support.expected import documents, expected_run
from tests.support.lake import DATA

# Every test here runs the command line in a child process, and all but the one without Java start its JVM.
pytestmark = [pytest.mark.subprocess, pytest.mark.spark]


def test_user_mistakes_are_one_line_and_a_non_zero_exit(tmp_path: Path) -> None:
    root = tmp_path / "lake"
    bad_sql = lakehouse(root, "query", "SELECT nope FROM github_events_silver")
    assert bad_sql.returncode == 2 and bad_sql.stdout == ""
    assert bad_sql.stderr.strip().splitlines()[-1].startswith("lakehouse: [UNRESOLVED_COLUMN")
    assert "Traceback" not in bad_sql.stderr
    failing = lakehouse(root, "query", "SELECT raise_error('no such day')", "--format", "json")
    assert (failing.returncode, failing.stdout) == (2, "")
    assert failing.stderr.strip() == "lakehouse: java.lang.RuntimeException: no such day"
    usage = lakehouse(root, "run", "everything")
    assert usage.returncode == 2
    assert usage.stderr == (
        "lakehouse run: argument target: invalid choice: 'everything' (choose from 'all', 'gold', 'silver') "
        "(see lakehouse run --help)\n"
    )

    whole = (DATA / "gharchive" / "2015-01-01-15.first1024.json.gz").read_bytes()
    truncated = tmp_path / "cut.json.gz"
    truncated.write_bytes(whole[:20000])
    refused = lakehouse(root, "ingest", "files", str(truncated))
    assert refused.returncode == 1 and "cut.json.gz: cannot be read whole" in refused.stderr
    assert not list((root / "local-raw").rglob("*.json.gz"))

    bad_day = lakehouse(root, "ingest", "files", str(truncated), "--ingest-dt", "25/11/2026")
    assert bad_day.returncode == 2 and "is not a day: use YYYY-MM-DD" in bad_day.stderr

    copy = tmp_path / "copy"
    shutil.copytree(root, copy)
    copied = lakehouse(copy, "run", "silver")
    assert copied.returncode == 2
    assert copied.stderr.strip() == (
        f"lakehouse: {copy} is a copy of the lake at {root}, or was moved from there: its metastore keeps that "
        f"lake's tables. Run lakehouse with --root {root}, or rebuild the lake from bronze: copy its raw bucket "
        "into a new root and run the jobs there"
    )

    with FileLock(str(root / ".lock")):
        busy = lakehouse(root, "status")
    assert busy.returncode == 2
    assert busy.stderr.strip() == (
        f"lakehouse: another lakehouse process is using {root} (its embedded metastore allows one process at a "
        "time): wait for it to finish, or use another --root"
    )


def test_spark_out_of_memory_is_one_line_naming_the_setting_that_gives_it_more(tmp_path: Path) -> None:
    # 400 strings of a million characters in one aggregate do not fit a 1 GB heap: the task runs out of memory
    # and Spark exits its JVM (with the default 4 GB the query answers 400)
    sql = "SELECT size(collect_list(repeat('x', 1000000))) FROM range(400)"
    result = lakehouse(tmp_path / "lake", "query", sql, env={**os.environ, "SPARK_DRIVER_MEMORY": "1g"})
    assert (result.returncode, result.stdout) == (1, "")
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "lakehouse: Spark ran out of memory and its JVM exited (code 52): give its driver more than 1g, e.g. "
        "SPARK_DRIVER_MEMORY=8g, and run the command again (an unfinished run leaves its bookmark where it was, "
        "so that is safe)"
    )


def test_a_root_whose_path_holds_a_space(tmp_path: Path) -> None:
    root = tmp_path / "my lakes" / "lake"  # the JVM's options name the metastore under it
    hour = DATA / "gharchive" / "2015-01-01-15.first1024.json.gz"
    assert lakehouse(root, "ingest", "files", str(hour), "--ingest-dt", "2026-11-25").returncode == 0
    result = lakehouse(root, "run", "silver", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["silver_rows"] == expected_run(documents(hour)).silver_rows  # 1,024
    assert (root / "_metastore" / "metastore_db").is_dir()


def test_missing_java_is_one_sentence(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "JAVA_HOME"}
    env["PATH"] = str(Path(sys.executable).parent)
    result = lakehouse(tmp_path / "lake", "status", env=env)
    assert result.returncode == 2
    assert result.stderr.startswith("lakehouse: Java was not found: install a Java 17 runtime")
