"""A class-data archive shared by the tests' JVMs: each Spark process maps Spark's classes instead of loading them.

The suite starts about fifty JVMs (the command line, spark-submit, the benchmark's processes); each loads about
15,000 classes from Spark's jars, a few seconds of every start on a busy machine. One `lakehouse run all` dumps
the classes it loaded when its JVM exits (JDK 13+ `-XX:ArchiveClassesAtExit`, the dynamic CDS archive); later
JVMs with the same class path map them (`-XX:SharedArchiveFile`). A JVM whose class path or Java differs from the
archive's ignores it and loads its classes as usual (logging of CDS off: nothing is printed either way).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pyspark

from lakehouse.settings import Settings
from tests.support.lake import put_object, real_lines

# The JVM's quick compiler alone: many short Spark sessions on tiny data start faster.
QUICK_ONLY = "-XX:TieredStopAtLevel=1"
QUICK_JIT = f"{QUICK_ONLY} -XX:+UseSerialGC"
SILENT = "-Xlog:cds*=off"  # a class path that no longer matches the archive would print a warning on stdout
SAMPLE = "2021-07-21-06to09.first200each.json.gz"


def archive_path(cache: Path) -> Path:
    """The archive of this Java and this PySpark: a new one for another of either (the JVM checks its jars too)."""
    java = shutil.which("java") or os.environ.get("JAVA_HOME", "")
    real = Path(java).resolve() if java else Path("none")
    stamp = f"{real}:{real.stat().st_mtime_ns if real.exists() else 0}:{pyspark.__version__}:{pyspark.__file__}"
    return cache / f"spark-{hashlib.sha256(stamp.encode()).hexdigest()[:16]}.jsa"


def jvm_options(archive: Path) -> str:
    """The tests' JVM options: the quick JIT, and the archive once it exists."""
    if not archive.is_file():
        return QUICK_JIT
    return f"{QUICK_JIT} -XX:SharedArchiveFile={shlex.quote(str(archive))} {SILENT}"


def long_lived(options: str) -> str:
    """The options for a JVM that runs for the whole suite (a worker's in-process session): both compilers.

    Over a worker's hundreds of jobs the optimising compiler pays for itself: the in-process tests of
    tests/pipeline/test_rebuild.py took 112 s with it and 134 s with the quick compiler alone (one worker),
    and those of a whole `make test` 575 s in all instead of 949 s.
    """
    return " ".join(option for option in options.split(" ") if option != QUICK_ONLY)


def build_archive(archive: Path) -> bool:
    """Dump the classes of one `lakehouse run all` over a real GH Archive sample; False if that run failed."""
    archive.parent.mkdir(parents=True, exist_ok=True)
    partial = archive.with_name(f"{archive.name}.{os.getpid()}.partial")
    with tempfile.TemporaryDirectory(prefix="lakehouse-jvm-archive-") as tmp:
        root = Path(tmp) / "lake"
        put_object(Settings.local(root), "2021-07-21", "archive", real_lines(SAMPLE))
        env = {**os.environ, "LAKEHOUSE_JVM_OPTS": f"{QUICK_JIT} -XX:ArchiveClassesAtExit={partial} {SILENT}"}
        command = [sys.executable, "-m", "lakehouse.cli", "--root", str(root), "run", "all"]
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        jvms = _children_until_exit(process, timeout=600)
        _wait_until_gone(jvms, timeout=180)  # the JVM outlives Python, and dumps on its way out
    if process.returncode != 0 or not partial.is_file():
        partial.unlink(missing_ok=True)
        return False
    partial.replace(archive)
    return True


def _children_until_exit(process: subprocess.Popen[bytes], timeout: float) -> set[psutil.Process]:
    """Every descendant seen while `process` ran (pyspark's JVM among them); killed, with them, past `timeout`."""
    tree = psutil.Process(process.pid)
    seen: set[psutil.Process] = set()
    deadline = time.monotonic() + timeout
    while process.poll() is None:
        with contextlib.suppress(psutil.Error):
            seen.update(tree.children(recursive=True))
        if time.monotonic() > deadline:
            for child in (*seen, tree):
                with contextlib.suppress(psutil.Error):
                    child.kill()
            process.wait()
        time.sleep(0.05)
    return seen


def _wait_until_gone(processes: set[psutil.Process], timeout: float) -> None:
    """Until each has exited: gone, or a zombie (an orphaned JVM waits there until init reaps it)."""
    deadline = time.monotonic() + timeout
    while not all(map(_exited, processes)) and time.monotonic() < deadline:
        time.sleep(0.05)


def _exited(process: psutil.Process) -> bool:
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True
