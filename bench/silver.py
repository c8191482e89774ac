"""Scenario 1 (and 6): bronze→silver throughput against the naive job, the floor and DuckDB, side by side."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

from bench.baselines import BOUNDS, WITH_METASTORE
from bench.generate import generate
from bench.timing import BenchError, Rounds, alternate, timed
from lakehouse.settings import Settings
from lakehouse.tables import BRONZE

HOURS = 8  # one object per hour: 8 objects, like the measurement that set the targets


def fresh_root(work: Path, name: str, bronze_root: Settings) -> Settings:
    """A lake with its tables but no data, whose raw bucket is the shared bronze (a symlink: nothing copied).

    The embedded metastore and the empty tables are created once and restored before each run: creating
    Derby's schema is a one-time cost of a new root (about 5 s) that an hourly job never pays (Glue has none).
    """
    root = work / name
    lake = Settings.local(root)
    snapshot = work / f"{name}.empty"
    if not snapshot.exists():
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        timed(["-m", "lakehouse.cli", "--root", str(root), "query", "SHOW TABLES"])  # the catalog, made
        shutil.copytree(root, snapshot, symlinks=True)
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(snapshot, root, symlinks=True)
    Path(lake.uri("raw")).symlink_to(bronze_root.uri("raw"))
    return lake


def ours(work: Path, bronze: Settings, events: int) -> Callable[[], float]:
    def run() -> float:
        lake = fresh_root(work, "ours", bronze)
        argv = ["-m", "lakehouse.cli", "--root", str(lake.root), "run", "silver", "--bookmark", "disable", "--json"]
        seconds, out = timed(argv)
        report = json.loads(out)
        if report["silver_rows"] != events:  # a broken run must not look fast
            raise BenchError(f"our job wrote {report['silver_rows']} silver rows of {events} events")
        return seconds

    return run


def other(work: Path, bronze: Settings, module: str, kind: str, *args: str) -> Callable[[], float]:
    def run() -> float:
        target = work / f"out-{kind}"
        shutil.rmtree(target, ignore_errors=True)
        return timed(["-m", module, kind, BRONZE.location(bronze), str(target), *args])[0]

    return run


def bounds(work: Path, bronze: Settings) -> dict[str, Callable[[], float]]:
    """The floor plus, one on top of the other, the cheapest form we know of what every silver run must do
    (`bench.baselines`); the lake whose metastore they open is made once, like our job's."""
    fresh_root(work, "bounds", bronze)
    lake = str(work / "bounds")
    return {
        kind: other(work, bronze, "bench.baselines", kind, *([lake] if kind in WITH_METASTORE else []))
        for kind in BOUNDS
    }


def scenario(work: Path, events: int, rounds: int) -> dict[str, object]:
    """Time our job, the floor, the naive job, the floor's bounds and DuckDB on the same N events, A B C ..."""
    bronze = Settings.local(work / "bronze")
    objects, raw_bytes = generate(bronze, events, HOURS)
    variants = {
        "ours": ours(work, bronze, events),
        "floor": other(work, bronze, "bench.baselines", "floor"),
        "naive": other(work, bronze, "bench.baselines", "naive"),
        **bounds(work, bronze),
        "duckdb": other(work, bronze, "bench.duck", "silver"),
    }
    result: Rounds = alternate(variants, rounds)
    ours_s = result.median("ours")
    return {
        "events": events,
        "objects": len(objects),
        "raw_json_mb": round(raw_bytes / 1e6, 1),
        "gzip_mb": round(sum(p.stat().st_size for p in objects) / 1e6, 1),
        "times": result.summary(),
        "ours_events_per_s": round(events / ours_s),
        "ours_mb_per_s": round(raw_bytes / 1e6 / ours_s, 2),
        "ratio_ours_to_floor": round(result.ratio("ours", "floor"), 3),
        "ratio_naive_to_floor": round(result.ratio("naive", "floor"), 3),
        "target_ours_to_floor": 1.3,
        "ratio_bounds_to_floor": {kind: round(result.ratio(kind, "floor"), 3) for kind in BOUNDS},
        "ratio_duckdb_to_ours": round(result.ratio("duckdb", "ours"), 3),
        "ratio_floor_to_duckdb": round(result.ratio("floor", "duckdb"), 3),
    }

