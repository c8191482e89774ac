"""`python -m bench [SCENARIO ...] [--events N] [--rounds R]`: run scenarios, write results/latest.json."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bench import empty, files, gold, incremental, ingest, silver
from bench.machine import machine

RESULTS = Path(__file__).resolve().parent / "results"

Scenario = Callable[[Path, argparse.Namespace], dict[str, object]]
SCENARIOS: dict[str, Scenario] = {
    "silver": lambda work, a: silver.scenario(work, a.events, a.rounds),
    "incremental": lambda work, a: incremental.scenario(work, a.events_per_hour, a.rounds),
    "gold": lambda work, a: gold.scenario(work, gold.Size(a.events_per_day, a.days, a.chunk_days), a.rounds),
    "files": lambda work, a: files.scenario(work, a.events_per_hour),
    "ingest": lambda work, a: ingest.scenario(work, a.hour_events, a.lambda_events),
    "empty": lambda work, a: empty.scenario(work, a.rounds),
}


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("scenarios", nargs="*", choices=[*SCENARIOS, []], metavar="SCENARIO",
                        help=f"any of {', '.join(SCENARIOS)} (default: all)")
    parser.add_argument("--events", type=int, default=1_000_000, help="silver: events (default 1,000,000)")
    parser.add_argument("--events-per-hour", type=int, default=7_700, help="incremental, files (a real 2015 hour)")
    parser.add_argument("--events-per-day", type=int, default=300_000, help="gold: events per day")
    parser.add_argument("--days", type=int, default=gold.DAYS, help=f"gold: days of history (default {gold.DAYS})")
    parser.add_argument("--chunk-days", type=int, default=gold.CHUNK_DAYS,
                        help=f"gold: days of history loaded by one silver run (default {gold.CHUNK_DAYS})")
    parser.add_argument("--hour-events", type=int, default=200_000, help="ingest: events of the backfilled hour")
    parser.add_argument("--lambda-events", type=int, default=3_000,
                        help="ingest: events of one Lambda invocation, 300 a poll round")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each variant, alternated (median)")
    parser.add_argument("--work", type=Path, help="data root (default: a temporary folder, removed after)")
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.json")
    return parser.parse_args(argv)


def table(results: dict[str, dict[str, object]]) -> str:
    """A short table of each scenario's headline figures."""
    keys = ("ratio", "events_per_s", "mb_per_s", "peak_rss_mb", "equals", "after_compaction", "before")
    lines = []
    for name, result in results.items():
        for key, value in result.items():
            if any(k in key for k in keys):
                lines.append(f"{name:<12} {key:<32} {json.dumps(value)}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    args = parse(argv)
    chosen = args.scenarios or list(SCENARIOS)
    report: dict[str, object] = {"started_at": datetime.now(UTC).isoformat(timespec="seconds"),
                                 "machine": machine(), "settings": {k: v for k, v in vars(args).items()
                                                                    if k not in ("work", "out", "scenarios")}}
    results: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory(prefix="lakehouse-bench-") as tmp:
        base = args.work or Path(tmp)
        for name in chosen:
            print(f"bench: {name} ...", file=sys.stderr, flush=True)
            started = time.perf_counter()
            results[name] = SCENARIOS[name](base / name, args)
            results[name]["scenario_s"] = round(time.perf_counter() - started, 1)
    report["results"] = results
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(table(results))
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
