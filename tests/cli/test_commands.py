"""The `lakehouse` command as a user runs it: a subprocess per command, on its own data root."""

from __future__ import annotations

import functools
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from filelock import FileLock

from lakehouse import __version__
from tests.support.expected import Expected, documents, expected_run
from tests.support.lake import DATA

# Every test here runs the command line in a child process, and all but the one without Java start its JVM.
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
    result = lakehouse(lake_root, "run", "all", "--json")
    assert result.returncode == 0, result.stderr
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


def test_bookmark_show_and_reset(lake_root: Path) -> None:
    shown = lakehouse(lake_root, "bookmark", "show", "bronze_to_silver")
    assert shown.stdout == f"bronze_to_silver: bronze: {ingested()[0]} file(s) processed\n"
    reset = lakehouse(lake_root, "bookmark", "reset", "silver_to_gold")
    assert reset.stdout == "silver_to_gold: bookmark reset\n"
    assert lakehouse(lake_root, "bookmark", "show", "silver_to_gold").stdout.startswith("silver_to_gold: no bookmark")


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


def test_spark_submit_runs_the_glue_entry_scripts_locally(tmp_path: Path) -> None:
    """Silver, gold, the dashboard's publishing and compaction, each spark-submitted as on the Glue Docker image."""
    root = tmp_path / "lake"
    day = root / "local-raw/github/events/ingest_dt=2021-07-21"
    day.mkdir(parents=True)
    sample = DATA / "gharchive" / "2021-07-21-06to09.first200each.json.gz"
    (day / "20210721T100000Z-sample.json.gz").write_bytes(sample.read_bytes())
    want = expected_run(documents(sample))  # 800 lines, 800 events
    venv_bin = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{venv_bin}{os.pathsep}{os.environ['PATH']}", "PYSPARK_PYTHON": sys.executable}
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
