"""Scenario 2: one new hour when 1, 24 and 168 hours are already in bronze and silver (bookmarks on)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from bench.generate import FIRST_ID, START, generate
from bench.lakes import job_seconds, lakehouse, restore, save
from bench.timing import BenchError, alternate
from lakehouse.settings import Settings

HISTORIES = (1, 24, 168)


def prepare(work: Path, history: int, per_hour: int) -> Path:
    """A lake with `history` hours through silver, then one more hour in bronze only; saved."""
    root = work / f"h{history}"
    lake = Settings.local(root)
    generate(lake, per_hour * history, history, seed=history)
    lakehouse(root, "run", "silver")
    generate(lake, per_hour, 1, start=START + timedelta(hours=history), seed=1000 + history,
             first_id=FIRST_ID + per_hour * history)
    save(root)
    return root


def scenario(work: Path, per_hour: int, rounds: int) -> dict[str, object]:
    """Time the new hour's silver run (fresh process) after each history, the histories alternated."""
    roots = {f"h{h}": prepare(work, h, per_hour) for h in HISTORIES}
    in_job: dict[str, list[float]] = {name: [] for name in roots}

    def variant(name: str, root: Path) -> Callable[[], float]:
        def run() -> float:
            restore(root)
            seconds, [report] = lakehouse(root, "run", "silver")
            if report["silver_rows"] != per_hour:
                raise BenchError(f"{name}: {report['silver_rows']} new rows, expected {per_hour}")
            in_job[name].append(job_seconds(report))
            return seconds

        return run

    result = alternate({name: variant(name, root) for name, root in roots.items()}, rounds)
    first, last = f"h{HISTORIES[0]}", f"h{HISTORIES[-1]}"
    return {
        "events_per_hour": per_hour,
        "histories_hours": list(HISTORIES),
        "times": result.summary(),
        "job_only_median_s": {n: round(sorted(ts)[len(ts) // 2], 3) for n, ts in in_job.items()},
        "ratio_168h_to_1h": round(result.ratio(last, first), 3),
        "ratio_24h_to_1h": round(result.ratio("h24", first), 3),
        "target_168h_to_1h": 1.25,
    }
