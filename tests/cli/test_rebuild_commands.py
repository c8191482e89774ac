"""`lakehouse rebuild silver` and `replay quarantine` as a user runs them, and a rebuild killed with SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from lakehouse import __version__
from lakehouse.runtime.local import root_lock
from lakehouse.settings import Settings
from lakehouse.tables import SILVER
from tests.cli.test_commands import lakehouse
from tests.support.expected import expected_run
from tests.support.lake import put_object, real_lines

pytestmark = [pytest.mark.subprocess, pytest.mark.spark]

HOUR = "2015-01-01-15.first1024.json.gz"
LATER = "2021-07-21-06to09.first200each.json.gz"
BAD = [b"{not json", b"[1,2]"]


def bronze() -> list[tuple[str, str, list[bytes]]]:
    hour, later = real_lines(HOUR), real_lines(LATER)
    return [("2015-01-01", "a", hour[:600] + BAD), ("2015-01-02", "b", hour[500:]), ("2021-07-21", "c", later)]


def every_line() -> list[bytes]:
    return [line for _, _, lines in bronze() for line in lines]


def silver_lake(root: Path) -> Settings:
    """The bronze objects in a root, run through silver and gold by the command line."""
    settings = Settings.local(root)
    for day, name, lines in bronze():
        put_object(settings, day, name, lines)
    result = lakehouse(root, "run", "all")
    assert result.returncode == 0, result.stderr
    return settings


def query(root: Path, sql: str) -> list[dict[str, object]]:
    result = lakehouse(root, "query", sql, "--format", "json")
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_dry_run_names_partitions_and_objects_then_rebuild_with_gold(tmp_path: Path) -> None:
    root = tmp_path / "lake"
    settings = silver_lake(root)
    plan = lakehouse(root, "rebuild", "silver", "--from", "2015-01-02", "--to", "2015-01-02", "--dry-run",
                     "--json")
    assert plan.returncode == 0, plan.stderr
    objects = sorted(f"file://{p}" for p in Path(settings.uri("raw")).rglob("*.json.gz") if "2015-01-0" in str(p))
    assert json.loads(plan.stdout) == {
        "partitions": [
            {"partition": "year=2015/month=01", "ingest_days": ["2015-01-01", "2015-01-02"], "bronze_objects": objects}
        ]
    }
    rebuilt = lakehouse(root, "rebuild", "silver", "--from", "2015-01-02", "--to", "2015-01-02", "--with-gold",
                        "--json")
    assert rebuilt.returncode == 0, rebuilt.stderr
    report, gold = (json.loads(line) for line in rebuilt.stdout.splitlines())
    lines = bronze()[0][2] + bronze()[1][2]
    want = expected_run(lines)
    assert (report["job"], report["lines_read"], report["quarantined"], report["silver_rows"]) == (
        "rebuild_silver", want.lines_read, want.quarantined, want.silver_rows
    )
    assert report["lines_read"] == report["silver_rows"] + report["quarantined"] + report["duplicates"]
    assert "github_events_silver year=2015/month=01: " in rebuilt.stderr and "(1 of 1 partitions)" in rebuilt.stderr
    assert (gold["job"], gold["days"]) == ("silver_to_gold", ["2015-01-01", "2015-01-02"])
    status = json.loads(lakehouse(root, "status", "--json").stdout)
    assert [(p["partition"], p["job"], p["code_version"]) for p in status["silver_partitions"]] == [
        ("year=2015/month=01", "rebuild_silver", __version__), ("year=2021/month=07", "bronze_to_silver", __version__)
    ]


def test_a_rebuild_waits_for_no_one_it_refuses_a_busy_root_and_bad_days(tmp_path: Path) -> None:
    root = tmp_path / "lake"
    with root_lock(Settings.local(root)):
        busy = lakehouse(root, "rebuild", "silver")
    assert (busy.returncode, busy.stderr.count("\n")) == (2, 1)
    assert "another lakehouse process is using" in busy.stderr
    bad = lakehouse(root, "replay", "quarantine", "--from", "2015-1-1x")
    assert (bad.returncode, bad.stderr) == (
        2, "lakehouse: --from '2015-1-1x' is not a day: write it as YYYY-MM-DD, e.g. 2015-01-01\n"
    )


Watch = Callable[[str, Path], bool]
# Moments to kill a rebuild at: after it planned (nothing written), while it writes beside, after the first
# partition's switch, and while the quarantine of the days read is switched.
KILL_AT: dict[str, Watch] = {
    "planned": lambda line, root: "partition(s) from" in line,
    "writing": lambda line, root: any((Path(SILVER.location(Settings.local(root))) / "_rebuilt").glob("*/*/*")),
    "switched": lambda line, root: "(1 of 2 partitions)" in line,
    "quarantine": lambda line, root: line.startswith("github_events_quarantine"),
}


def killed_rebuild(root: Path, when: Watch) -> None:
    """Start `rebuild silver` and SIGKILL its whole process group (Python and JVM) when `when` first holds."""
    command = [sys.executable, "-m", "lakehouse.cli", "--root", str(root), "rebuild", "silver"]
    child = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                             start_new_session=True)
    seen = threading.Event()

    def watch_lines() -> None:
        assert child.stderr is not None
        for line in child.stderr:
            if when(line, root):
                seen.set()

    threading.Thread(target=watch_lines, daemon=True).start()
    while child.poll() is None and not (seen.is_set() or when("", root)):
        time.sleep(0.01)
    if child.poll() is None:
        os.killpg(child.pid, signal.SIGKILL)
    assert child.wait(timeout=60) == -signal.SIGKILL, "the rebuild ended before the moment to kill it"


def test_a_rebuild_killed_at_each_moment_in_turn_then_run_again_keeps_every_event_once(tmp_path: Path) -> None:
    """Killed at every moment, one after the other on the same lake (each attempt sweeps what the last left)."""
    root = tmp_path / "lake"
    silver_lake(root)
    want = expected_run(every_line())
    ids = "SELECT event_id FROM github_events_silver ORDER BY event_id"
    before = [{"event_id": i} for i in sorted(want.ids)]  # what the first run made (json module, no JVM to ask)
    for moment, when in KILL_AT.items():  # in this order: "writing" looks for folders a switch leaves in use
        killed_rebuild(root, when)
        assert query(root, ids) == before, f"killed {moment}: the killed attempt is visible"
    again = lakehouse(root, "rebuild", "silver", "--json")
    assert again.returncode == 0, again.stderr
    checks = (
        "SELECT 'id' AS k, event_id AS v FROM github_events_silver"
        " UNION ALL SELECT 'quarantined', CAST(count(*) AS STRING) FROM github_events_quarantine"
        " UNION ALL SELECT 'unbalanced', CAST(count(*) AS STRING) FROM github_events_runs"
        " WHERE lines_read != silver_rows + quarantined + duplicates"
    )
    found = query(root, checks)
    assert sorted(r["v"] for r in found if r["k"] == "id") == sorted(want.ids)
    counts = {r["k"]: r["v"] for r in found if r["k"] != "id"}
    assert counts == {"quarantined": str(want.quarantined), "unbalanced": "0"}
