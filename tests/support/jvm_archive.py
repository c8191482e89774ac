"""The tests' JVM options: the quick compiler, and the class archive the product makes (runtime.class_archive).

The suite starts about fifty JVMs (the command line, spark-submit, the benchmark's processes). Before the first,
one `lakehouse run all` over a real GH Archive sample, with no JVM options of the tests' own, makes the archive in
pytest's cache as a user's first run makes it in theirs; every later JVM of the suite maps it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from lakehouse.runtime.class_archive import CACHE_VAR, JVM_OPTS_VAR, archive_path, mapping
from lakehouse.settings import Settings
from tests.support.lake import put_object, real_lines

# The JVM's quick compiler alone: many short Spark sessions on tiny data start faster.
QUICK_ONLY = "-XX:TieredStopAtLevel=1"
QUICK_JIT = f"{QUICK_ONLY} -XX:+UseSerialGC"
SAMPLE = "2021-07-21-06to09.first200each.json.gz"


def jvm_options(archive: Path) -> str:
    """The tests' JVM options: the quick JIT, and the archive once it exists."""
    if not archive.is_file():
        return QUICK_JIT
    return f"{QUICK_JIT} {mapping(archive)}"


def long_lived(options: str) -> str:
    """The options for a JVM that runs for the whole suite (a worker's in-process session): both compilers.

    Over a worker's hundreds of jobs the optimising compiler pays for itself: the in-process tests of
    tests/pipeline/test_rebuild.py took 112 s with it and 134 s with the quick compiler alone (one worker),
    and those of a whole `make test` 575 s in all instead of 949 s.
    """
    return " ".join(option for option in options.split(" ") if option != QUICK_ONLY)


def build_archive(cache: Path) -> Path | None:
    """The archive in `cache`, made by a first `lakehouse run all` there if there is none; None if that run failed."""
    if (archive := archive_path(cache)).is_file():
        return archive
    with tempfile.TemporaryDirectory(prefix="lakehouse-jvm-archive-") as tmp:
        root = Path(tmp) / "lake"
        put_object(Settings.local(root), "2021-07-21", "archive", real_lines(SAMPLE))
        env = {k: v for k, v in os.environ.items() if k != JVM_OPTS_VAR} | {CACHE_VAR: str(cache)}
        command = [sys.executable, "-m", "lakehouse.cli", "--root", str(root), "run", "all"]
        done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
    return archive if done.returncode == 0 and archive.is_file() else None
