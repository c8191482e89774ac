"""Scenario 5: peak memory of the GH Archive backfill of a 200,000-event hour served from loopback."""

from __future__ import annotations

import json
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench.generate import generate, hour_key
from bench.timing import timed
from lakehouse.settings import Settings

HOUR = datetime(2015, 1, 1, 2, tzinfo=UTC)
LIMIT_MB = 256


def measure(url: str, root: str) -> dict[str, object]:
    """In this process: backfill HOUR from `url` into `root`; peak RSS (VmHWM) and RSS after the imports."""
    import psutil

    from lakehouse.ingest.bronze_writer import BronzeWriter
    from lakehouse.ingest.gharchive import Backfill, archive_session
    from lakehouse.storage import LocalStore

    baseline = psutil.Process().memory_info().rss
    store = LocalStore(Path(root))
    [result] = Backfill(archive_session(), store, BronzeWriter(store), base_url=url).run([HOUR], progress=None)
    status = Path("/proc/self/status").read_text().splitlines()
    peak = int(next(line.split()[1] for line in status if line.startswith("VmHWM:"))) * 1024
    return {"status": result.status, "lines": result.lines, "peak_rss_mb": round(peak / 2**20, 1),
            "baseline_rss_mb": round(baseline / 2**20, 1), "delta_mb": round((peak - baseline) / 2**20, 1)}


def scenario(work: Path, events: int) -> dict[str, object]:
    """Serve a generated hour of `events` as GH Archive names it; backfill it in a fresh process."""
    from tests.ingestion.archive_server import ArchiveServer

    source = Settings.local(work / "archive-source")
    generate(source, events, 1, start=HOUR, seed=5, tag="archive")
    folder = work / "archive"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(source.uri("raw", hour_key(HOUR, "archive")), folder / f"{HOUR:%Y-%m-%d}-{HOUR.hour}.json.gz")
    with ArchiveServer(folder).running() as url:
        _, out = timed(["-m", "bench.ingest", url, str(work / "backfill")])
    report: dict[str, object] = {"events": events, **json.loads(out), "target_peak_mb": LIMIT_MB}
    return report


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1], sys.argv[2])))
