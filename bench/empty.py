"""Scenario 7: `lakehouse run silver` with nothing new, beside a bare local Spark start and one trivial query."""

from __future__ import annotations

import sys
from pathlib import Path

from bench.generate import generate
from bench.lakes import lakehouse, restore, save
from bench.timing import BenchError, alternate, timed
from lakehouse.settings import Settings

BARE = (
    "from bench.baselines import session; spark = session(); spark.range(1).count(); spark.stop()"
)


def scenario(work: Path, rounds: int) -> dict[str, object]:
    """A lake whose bronze silver has read; each run finds nothing new (the bookmark says so)."""
    root = work / "lake"
    generate(Settings.local(root), 1_000, 1)
    lakehouse(root, "run", "silver")
    save(root)

    def ours() -> float:
        restore(root)
        seconds, [report] = lakehouse(root, "run", "silver")
        if report["lines_read"] != 0:
            raise BenchError(f"a run with nothing new read {report['lines_read']} lines")
        return seconds

    def bare() -> float:
        return timed(["-c", BARE])[0]

    result = alternate({"ours": ours, "bare": bare}, rounds)
    return {"times": result.summary(), "ratio_empty_run_to_bare_session": round(result.ratio("ours", "bare"), 3),
            "target_empty_run_to_bare_session": 1.5}


if __name__ == "__main__":
    print(scenario(Path(sys.argv[1]), int(sys.argv[2])))
