"""Lakes for the scenarios: the command run as a fresh process, and a lake's state saved and restored."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

from bench.timing import BenchError, timed

RAW = "local-raw"


def lakehouse(root: Path, *args: str) -> tuple[float, list[dict[str, object]]]:
    """Run `lakehouse --root ROOT ARGS --json` in a fresh process; (wall seconds, one report per job run)."""
    seconds, out = timed(["-m", "lakehouse.cli", "--root", str(root), *args, "--json"])
    return seconds, [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def job_seconds(report: dict[str, object]) -> float:
    """How long the job itself ran (its run record), without the process and Spark start."""
    started, finished = (datetime.fromisoformat(str(report[k]).replace("Z", "+00:00"))
                         for k in ("started_at", "finished_at"))
    return (finished - started).total_seconds()


def save(root: Path) -> Path:
    """Copy everything of a lake but its bronze (the jobs never change bronze) beside it."""
    saved = root.with_name(root.name + ".saved")
    shutil.rmtree(saved, ignore_errors=True)
    shutil.copytree(root, saved, symlinks=True, ignore=lambda d, names: [RAW] if Path(d) == root else [])
    return saved


def restore(root: Path) -> None:
    """Put a lake back as `save` found it (bronze untouched)."""
    saved = root.with_name(root.name + ".saved")
    if not saved.exists():
        raise BenchError(f"{root} was never saved")
    for child in root.iterdir():
        if child.name != RAW:
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
    for child in saved.iterdir():
        target = root / child.name
        if child.is_dir():
            shutil.copytree(child, target, symlinks=True)
        else:
            shutil.copy2(child, target)
