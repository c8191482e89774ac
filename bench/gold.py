"""Scenario 3 (and 6): with 30 days (`--days`) in silver and gold, one more hour, then gold: touched days only vs
all 30, and all 30 as DuckDB SQL over the same silver files; then a touched day of a few events: a run's fixed cost."""

from __future__ import annotations

import shutil
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import duckdb

from bench.generate import FIRST_ID, START, generate
from bench.lakes import job_seconds, lakehouse, restore, save
from bench.timing import BenchError, alternate, timed
from lakehouse.settings import Settings
from lakehouse.tables import GOLD_DAILY, SILVER

DAYS = 30
CHUNK_DAYS = 6  # days of history loaded by one silver run
TINY_DAY = 10  # events of the day whose touched run shows what a gold run costs doing almost nothing


@dataclass(frozen=True)
class Size:
    """How much history the scenario builds: `days` in silver and gold, loaded `chunk_days` per silver run
    (`make bench`: 30 and 6; the harness's test: fewer days in one run, the same steps in fewer processes)."""

    per_day: int
    days: int = DAYS
    chunk_days: int = CHUNK_DAYS


def prepare(work: Path, size: Size) -> Path:
    """`days` days but their last hour through silver (a silver run per `chunk_days` days) and gold; then the
    last hour through silver; saved."""
    root = work / "gold"
    lake = Settings.local(root)
    per_day, days = size.per_day, size.days
    hours = days * 24 - 1
    history = per_day * days * hours // (days * 24)
    loaded = 0
    for first_hour in range(0, hours, size.chunk_days * 24):
        chunk_hours = min(size.chunk_days * 24, hours - first_hour)
        events = history * (first_hour + chunk_hours) // hours - loaded
        start = START + timedelta(hours=first_hour)
        generate(lake, events, chunk_hours, start=start, seed=7 + first_hour, first_id=FIRST_ID + loaded)
        lakehouse(root, "run", "silver")
        loaded += events
    lakehouse(root, "run", "gold")
    generate(lake, per_day // 24, 1, start=START + timedelta(hours=hours), seed=8, first_id=FIRST_ID + history)
    lakehouse(root, "run", "silver")
    save(root)
    return root


@dataclass(frozen=True)
class Rows:
    """Every gold row of a folder partitioned by ingest_dt, as its count and an order-free digest: the sum of each
    row's hash, so a repeated or missing row changes it (DuckDB computes both; no row reaches Python, which at 30M
    events would hold gigabytes)."""

    count: int
    digest: int


def gold_rows(location: str) -> Rows:
    files = f"{location}/*/*.parquet"
    sql = (f"SELECT count(*), coalesce(sum(hash(ingest_dt, event_type, repo_name, events_count)), 0) "
           f"FROM read_parquet('{files}', hive_partitioning=1)")
    count, digest = duckdb.execute(sql).fetchone()  # type: ignore[misc]
    return Rows(int(count), int(digest))


def with_a_tiny_day(root: Path, size: Size) -> None:
    """The prepared lake with its gold brought up to date, then an hour of TINY_DAY events on a new day
    through silver; saved."""
    restore(root)
    lakehouse(root, "run", "gold")
    start = START + timedelta(days=size.days)
    generate(Settings.local(root), TINY_DAY, 1, start=start, seed=9, first_id=FIRST_ID + size.per_day * size.days)
    lakehouse(root, "run", "silver")
    save(root)


def scenario(work: Path, size: Size, rounds: int) -> dict[str, object]:
    """Incremental gold (bookmarks on: the touched day) against a full recompute and DuckDB's, alternated;
    then a touched day of TINY_DAY events against a full recompute: what a run costs doing almost nothing."""
    root = prepare(work, size)
    lake = Settings.local(root)
    in_job: dict[str, list[float]] = {}
    results: dict[str, Rows] = {}

    def variant(name: str, option: str, days: int) -> Callable[[], float]:
        def run() -> float:
            restore(root)
            seconds, [report] = lakehouse(root, "run", "gold", "--bookmark", option)
            if report["gold_days"] != days:
                raise BenchError(f"{name}: gold recomputed {report['gold_days']} days, expected {days}")
            in_job.setdefault(name, []).append(job_seconds(report))
            results[name] = gold_rows(GOLD_DAILY.location(lake))
            return seconds

        return run

    def duck() -> float:
        target = work / "out-duckdb"
        shutil.rmtree(target, ignore_errors=True)
        seconds = timed(["-m", "bench.duck", "gold", SILVER.location(lake), str(target)])[0]
        results["duckdb"] = gold_rows(str(target))
        return seconds

    def job_ratio(name: str, base: str) -> float:
        return round(statistics.median(a / b for a, b in zip(in_job[name], in_job[base], strict=True)), 3)

    variants = {"touched": variant("touched", "enable", 1), "full": variant("full", "disable", size.days),
                "duckdb": duck}
    result = alternate(variants, rounds)
    with_a_tiny_day(root, size)
    tiny = alternate({"tiny_day": variant("tiny_day", "enable", 1),
                      "full_after": variant("full_after", "disable", size.days + 1)}, rounds)
    return {
        "days": size.days,
        "chunk_days": size.chunk_days,
        "events_per_day": size.per_day,
        "times": result.summary(),
        "job_only_median_s": {n: round(statistics.median(ts), 3) for n, ts in in_job.items()},
        "ratio_touched_to_full": round(result.ratio("touched", "full"), 3),
        "ratio_touched_to_full_job_only": job_ratio("touched", "full"),
        "target_touched_to_full": 0.15,
        "touched_equals_full": results["touched"] == results["full"],
        "ratio_duckdb_to_full": round(result.ratio("duckdb", "full"), 3),
        "ratio_touched_to_duckdb": round(result.ratio("touched", "duckdb"), 3),
        "duckdb_equals_full": results["duckdb"] == results["full"],
        "gold_rows": results["full"].count,
        "tiny_day_events": TINY_DAY,
        "tiny_day_times": tiny.summary(),
        "ratio_tiny_day_to_full": round(tiny.ratio("tiny_day", "full_after"), 3),
        "ratio_tiny_day_to_full_job_only": job_ratio("tiny_day", "full_after"),
        "tiny_day_equals_full": results["tiny_day"] == results["full_after"],
    }
