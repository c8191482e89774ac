"""The benchmark harness at tiny scale: its data is real and deterministic, and a scenario runs end to end."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from bench.generate import FIRST_ID, START, generate
from bench.silver import HOURS
from bench.timing import JVM_OPTS_ENV, Rounds, clean_env
from lakehouse.settings import Settings
from tests.support.expected import event_of

REPO = Path(__file__).resolve().parents[2]
GOLD_DAYS = 3  # days of history in the gold scenario's test (`make bench`: 30), all loaded by one silver run


def scenario(argv: list[str], timeout: int) -> subprocess.CompletedProcess[str]:
    """`python -m bench ARGV` whose processes start as the tests' do (quick JIT, class archive): the figures
    mean nothing here, every step running and agreeing does."""
    env = {**os.environ, JVM_OPTS_ENV: os.environ["LAKEHOUSE_JVM_OPTS"]}
    return subprocess.run([sys.executable, "-m", "bench", *argv], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout, env=env)


def events(path: Path) -> list[dict]:
    return [json.loads(line) for line in gzip.decompress(path.read_bytes()).splitlines()]


def gold_groups(raw: Path, days: int) -> int:
    """The (ingest day, type, repository) groups of the valid events in the bronze of a lake's first `days` days."""
    last = f"ingest_dt={START + timedelta(days=days - 1):%Y-%m-%d}"
    lines = ((p.parent.name, line) for p in raw.rglob("*.json.gz") if p.parent.name <= last
             for line in gzip.decompress(p.read_bytes()).splitlines())
    return len({(day, e["type"], e["repo"]["name"]) for day, line in lines if (e := event_of(line)) is not None})


def test_generated_events_are_real_lines_with_fresh_ids_spread_over_their_hours(tmp_path: Path) -> None:
    objects, raw_bytes = generate(Settings.local(tmp_path / "a"), 3_000, 3, seed=4)
    again, _ = generate(Settings.local(tmp_path / "b"), 3_000, 3, seed=4)
    assert [p.read_bytes() for p in objects] == [p.read_bytes() for p in again]
    [first, *_] = batches = [events(p) for p in objects]
    assert [len(b) for b in batches] == [1_000, 1_000, 1_000]
    ids = [int(e["id"]) for b in batches for e in b]
    assert ids == list(range(FIRST_ID, FIRST_ID + 3_000))
    assert {e["created_at"][:13] for e in first} == {"2015-01-01T00"}
    assert len({e["type"] for e in first}) > 5 and all("payload" in e for e in first)
    assert objects[0].parts[-2] == "ingest_dt=2015-01-01" and objects[0].name.startswith("20150101T000000Z-")
    assert raw_bytes == sum(len(gzip.decompress(p.read_bytes())) for p in objects)


def test_ratios_pair_runs_of_the_same_round() -> None:
    rounds = Rounds({"a": [2.0, 10.0, 3.0], "b": [1.0, 4.0, 1.0]})
    assert (rounds.median("a"), rounds.ratio("a", "b")) == (3.0, 2.5)


def test_benchmarked_processes_run_the_full_jit() -> None:
    assert "LAKEHOUSE_JVM_OPTS" in os.environ  # set for the tests by conftest
    assert "LAKEHOUSE_JVM_OPTS" not in clean_env()


@pytest.mark.subprocess
@pytest.mark.spark
def test_the_silver_scenario_runs_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "latest.json"
    done = scenario(["silver", "--events", "2000", "--rounds", "1", "--work", str(tmp_path), "--out", str(out)], 600)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(out.read_text())
    silver = result["results"]["silver"]
    assert (silver["events"], silver["objects"]) == (2000, HOURS)  # one object an hour
    assert set(silver["times"]) == {"ours", "floor", "naive", "dedup", "metastore", "duckdb"}
    assert set(silver["ratio_bounds_to_floor"]) == {"dedup", "metastore"}
    assert result["machine"]["cores"] == os.cpu_count()
    assert "ratio_ours_to_floor" in done.stdout


@pytest.mark.subprocess
@pytest.mark.spark
def test_the_gold_scenario_touches_one_day_and_agrees_with_both_full_recomputes(tmp_path: Path) -> None:
    out = tmp_path / "latest.json"
    argv = ["gold", "--events-per-day", "240", "--days", str(GOLD_DAYS), "--chunk-days", str(GOLD_DAYS),
            "--rounds", "1", "--work", str(tmp_path), "--out", str(out)]
    done = scenario(argv, 900)
    assert done.returncode == 0, done.stderr[-2000:]
    gold = json.loads(out.read_text())["results"]["gold"]
    assert (gold["days"], gold["chunk_days"]) == (GOLD_DAYS, GOLD_DAYS)
    assert set(gold["times"]) == {"touched", "full", "duckdb"}
    assert set(gold["tiny_day_times"]) == {"tiny_day", "full_after"}
    assert (gold["touched_equals_full"], gold["duckdb_equals_full"], gold["tiny_day_equals_full"]) == (True, True, True)
    # gold of the days before the tiny one: each generated event has its own id, so a group is a gold row
    assert gold["gold_rows"] == gold_groups(tmp_path / "gold" / "gold" / "local-raw", GOLD_DAYS)
    assert "ratio_duckdb_to_full" in done.stdout


@pytest.mark.subprocess
def test_the_ingest_scenario_backfills_an_hour_and_runs_one_lambda_invocation(tmp_path: Path) -> None:
    out = tmp_path / "latest.json"
    argv = ["-m", "bench", "ingest", "--hour-events", "2000", "--lambda-events", "1500", "--work", str(tmp_path),
            "--out", str(out)]
    done = subprocess.run([sys.executable, *argv], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    ingest = json.loads(out.read_text())["results"]["ingest"]
    assert (ingest["events"], ingest["status"], ingest["lines"]) == (2000, "written", 2000)
    # 5 rounds of 300 new events; the flush due after 180 s (round 4) writes one object, the end another
    assert (ingest["lambda_events"], ingest["lambda_objects"]) == (1500, 2)
    assert (ingest["lambda_rounds"], ingest["lambda_stop_reason"]) == (5, "deadline")
    assert "lambda_peak_rss_mb" in done.stdout
