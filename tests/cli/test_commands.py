"""The `lakehouse` command as a user runs it: a subprocess per command, on one data root that every real sample
is ingested into and run through once, then read (the module stays on one xdist worker: tests/conftest.py)."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from lakehouse import __version__
from tests.support.expected import Expected, documents, expected_run
from tests.support.lake import DATA

# Every test here runs the command line in a child process that starts its JVM.
pytestmark = [pytest.mark.subprocess, pytest.mark.spark]

SAMPLES = sorted(
    p
    for folder in ("gharchive", "api-pages", "schema-drift")
    for p in (DATA / folder).iterdir()
    if p.name not in ("RESPONSES_META.json", "README.md")
)


@functools.cache
def ingested() -> tuple[int, Expected]:
    """How many objects `ingest files` writes of SAMPLES (none of an empty page), and what silver makes of them."""
    lines = [documents(p) for p in SAMPLES]
    return sum(1 for object_lines in lines if object_lines), expected_run(line for ls in lines for line in ls)


def lakehouse(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "lakehouse.cli", "--root", str(root), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)


@pytest.fixture(scope="module")
def lake_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every real sample ingested through the command line and run through silver and gold once."""
    root = tmp_path_factory.mktemp("cli") / "lake"
    ingested = lakehouse(root, "ingest", "files", *map(str, SAMPLES), "--ingest-dt", "2026-11-25")
    assert ingested.returncode == 0, ingested.stderr
    return root


def test_every_real_sample_goes_through_silver_and_gold(lake_root: Path) -> None:
    started = time.time()
    result = lakehouse(lake_root, "run", "all", "--json")
    assert result.returncode == 0, result.stderr
    # Hive's session folder is the root's, not a new /tmp/<session id>_resources left behind by every command
    assert (lake_root / "_metastore" / "hive-resources").is_dir()
    assert [p for p in Path(tempfile.gettempdir()).glob("*_resources") if p.stat().st_mtime >= started] == []
    silver, gold = (json.loads(line) for line in result.stdout.splitlines())
    objects, want = ingested()
    counts = {k: silver[k] for k in ("input_objects", "lines_read", "silver_rows", "quarantined", "duplicates")}
    # 23 objects of 12,123 lines: 11,984 silver rows, 4 quarantined, 135 duplicates
    assert counts == {"input_objects": objects, **want.figures}
    # the 2012 timeline events, the only invalid lines: their actor is a string
    assert silver["quarantined_by_reason"] == {"bad_type:actor": want.quarantined}
    assert (gold["job"], gold["gold_days"], gold["days"]) == ("silver_to_gold", 1, ["2026-11-25"])


def test_query_prints_only_the_result_as_json_lines_csv_or_a_table(lake_root: Path) -> None:
    _, want = ingested()
    sql = (
        "SELECT event_id, created_at, event_date, org_login, is_public FROM github_events_silver "
        "WHERE event_id IN ('2549961020', '1525440611') ORDER BY event_id"
    )
    as_json = lakehouse(lake_root, "query", sql, "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    assert [json.loads(line) for line in as_json.stdout.splitlines()] == [
        {
            "event_id": "1525440611",
            "created_at": "2012-03-01T21:34:26Z",
            "event_date": "2012-03-01",
            "org_login": None,
            "is_public": True,
        },
        {
            "event_id": "2549961020",
            "created_at": "2015-02-01T00:00:00.000010Z",
            "event_date": "2015-02-01",
            "org_login": None,
            "is_public": True,
        },
    ]
    as_csv = lakehouse(
        lake_root,
        "query",
        "SELECT reason, count(*) AS n FROM github_events_quarantine GROUP BY reason",
        "--format",
        "csv",
    )
    assert as_csv.stdout == f"reason,n\nbad_type:actor,{want.quarantined}\n"
    as_table = lakehouse(lake_root, "query", "SELECT sum(events_count) AS events FROM github_events_gold_daily")
    assert as_table.stdout == f"events\n------\n{want.silver_rows}\n"


def test_query_timestamps_are_utc_whatever_the_local_zone(lake_root: Path) -> None:
    sql = (
        "SELECT named_struct('t', created_at) AS s, created_at FROM github_events_silver "
        "WHERE event_id = '2549961020'"
    )
    result = lakehouse(lake_root, "query", sql, "--format", "json", env={**os.environ, "TZ": "Asia/Tokyo"})
    stamp = "2015-02-01T00:00:00.000010Z"
    assert json.loads(result.stdout) == {"s": {"t": stamp}, "created_at": stamp}


def test_status_reports_tables_bookmarks_and_runs(lake_root: Path) -> None:
    result = lakehouse(lake_root, "status", "--json")
    assert result.returncode == 0, result.stderr
    state = json.loads(result.stdout)
    assert set(state) == {"root", "database", "tables", "bookmarks", "last_runs", "silver_partitions"}
    assert state["database"] == "lakehouse_local"
    objects, want = ingested()
    tables = {name: (t["rows"], t["partitions"], t["newest_partition"]) for name, t in state["tables"].items()}
    assert tables["github_events_bronze"] == (want.lines_read, 1, "ingest_dt=2026-11-25")
    assert tables["github_events_silver"][0] == want.silver_rows
    assert tables["github_events_quarantine"] == (want.quarantined, 1, "ingest_dt=2026-11-25")
    assert tables["github_events_runs"] == (2, None, None)
    # gold read one silver index file per (ingest day, year, month): one day, 13 months of events
    bookmarks = {"bronze_to_silver": {"bronze": objects}, "silver_to_gold": {"silver_index": len(want.months)}}
    assert state["bookmarks"] == bookmarks
    assert [r["job"] for r in state["last_runs"]] == ["silver_to_gold", "bronze_to_silver"]
    derived = {(p["job"], p["code_version"]) for p in state["silver_partitions"]}
    assert (len(state["silver_partitions"]), derived) == (len(want.months), {("bronze_to_silver", __version__)})
    [silver_run] = [r for r in state["last_runs"] if r["job"] == "bronze_to_silver"]
    assert {p["derived_at"] for p in state["silver_partitions"]} == {silver_run["finished_at"]}  # ISO 8601 UTC
    shown = lakehouse(lake_root, "status")  # the same, as a table for people
    counts = (len(state["tables"]), len(state["last_runs"]), len(want.months))  # each table's rows, on stderr
    assert (shown.returncode, shown.stderr) == (0, "({} rows)\n({} rows)\n({} rows)\n".format(*counts))
    for p in state["silver_partitions"]:
        assert f"{p['partition']}  {p['derived_at']}  bronze_to_silver" in shown.stdout


def test_bookmark_show_and_reset(lake_root: Path) -> None:
    shown = lakehouse(lake_root, "bookmark", "show", "bronze_to_silver")
    assert shown.stdout == f"bronze_to_silver: bronze: {ingested()[0]} file(s) processed\n"
    reset = lakehouse(lake_root, "bookmark", "reset", "silver_to_gold")
    assert reset.stdout == "silver_to_gold: bookmark reset\n"
    assert lakehouse(lake_root, "bookmark", "show", "silver_to_gold").stdout.startswith("silver_to_gold: no bookmark")
