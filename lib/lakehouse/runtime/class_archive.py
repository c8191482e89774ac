"""A class-data archive of the local Spark JVM: the first local run makes it, every later run maps it.

A local Spark start loads some 15,000 classes from Spark's and Hive's jars, several seconds of every command.
A JVM started with an archive of them maps them instead: `-XX:ArchiveClassesAtExit` dumps the classes a JVM
loaded when it exits, `-XX:SharedArchiveFile` maps them (JDK 13+ dynamic class-data sharing,
https://docs.oracle.com/en/java/javase/17/vm/class-data-sharing.html). An archive is named after the Java and the
PySpark it was made with, so another of either makes a new one; a JVM refuses an archive whose class path or Java
differs and loads its classes as usual (logging of CDS off: nothing is printed either way, stdout stays the
command's). The same default options choose the JVM's collector (`GC_OPTIONS`). `LAKEHOUSE_JVM_OPTS`, when set,
replaces all this (the tests set their own options and archive).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shlex
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pyspark

log = logging.getLogger(__name__)

JVM_OPTS_VAR = "LAKEHOUSE_JVM_OPTS"
# The parallel (throughput) collector: a local run is a batch job on a few cores, where G1 (Java's default since 9)
# spends CPU beside the tasks for short pauses that no batch needs (Spark's discussion of the same default:
# SPARK-53084). Measured on 2 cores: README, "Runtimes"; bench/README.md, sections 1 and 3.
GC_OPTIONS = "-XX:+UseParallelGC"
CACHE_VAR = "LAKEHOUSE_CACHE"
SILENT = "-Xlog:cds*=off"
DUMP_WAIT_SECONDS = 120  # dumping takes seconds; a JVM still at it after this is left to finish alone
STALE_SECONDS = 3600  # a partial archive this old was left by a first run that never put it in place


def cache_dir() -> Path:
    """Where the archive lives: $LAKEHOUSE_CACHE, else the user's cache folder (about 200 MB)."""
    if explicit := os.environ.get(CACHE_VAR):
        return Path(explicit)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "lakehouse"


def archive_path(cache: Path) -> Path:
    """The archive of this Java and this PySpark in `cache`."""
    java = shutil.which("java") or os.environ.get("JAVA_HOME", "")
    real = Path(java).resolve() if java else Path("none")
    stamp = f"{real}:{real.stat().st_mtime_ns if real.exists() else 0}:{pyspark.__version__}:{pyspark.__file__}"
    return cache / f"spark-{hashlib.sha256(stamp.encode()).hexdigest()[:16]}.jsa"


def mapping(archive: Path) -> str:
    """The JVM options that map an archive."""
    return f"-XX:SharedArchiveFile={shlex.quote(str(archive))} {SILENT}"


@dataclass(frozen=True)
class JvmOptions:
    """Options for the JVM of a local session; `dumping`: where it writes the archive as it exits, for `keep` to
    move to `archive`."""

    options: str
    dumping: Path | None = None
    archive: Path | None = None

    def keep(self, process: subprocess.Popen[bytes] | None) -> None:
        """Once the session has stopped: end its JVM (PySpark's gateway exits when its stdin closes), wait while
        it dumps its classes, and put the archive in place (a rename: a JVM never maps a half-written one)."""
        if self.dumping is None or self.archive is None or process is None:
            return
        from pyspark import SparkContext

        if process.stdin is not None:
            process.stdin.close()
        SparkContext._gateway = SparkContext._jvm = None  # a later session in this process starts a JVM anew
        try:
            process.wait(DUMP_WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            log.debug("the JVM is still writing its class archive; it is left to finish alone")
            return
        if self.dumping.is_file():
            self.dumping.replace(self.archive)


def jvm_options(make: bool = False) -> JvmOptions:
    """$LAKEHOUSE_JVM_OPTS if set; else the collector and the archive's mapping, or, when there is none yet and
    `make`, its making (by a JVM this process has yet to start: one started already, or spark-submit's, keeps its
    options)."""
    from pyspark import SparkContext

    if (own := os.environ.get(JVM_OPTS_VAR)) is not None:
        return JvmOptions(own)
    archive = archive_path(cache_dir())
    if archive.is_file():
        return JvmOptions(f"{GC_OPTIONS} {mapping(archive)}")
    if not make or SparkContext._gateway is not None or "PYSPARK_GATEWAY_PORT" in os.environ:  # spark-submit's
        return JvmOptions(GC_OPTIONS)  # JVM started this process with its own options: these go unused there
    try:
        archive.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:  # no cache folder to write to: the JVM loads its classes as usual
        log.debug("no class archive: %s", e)
        return JvmOptions(GC_OPTIONS)
    for stale in archive.parent.glob(f"{archive.stem}.*.partial"):  # of a first run whose Python was killed
        with contextlib.suppress(OSError):
            if time.time() - stale.stat().st_mtime > STALE_SECONDS:
                stale.unlink()
    partial = archive.with_name(f"{archive.stem}.{os.getpid()}.partial")
    log.info("this first local run also saves Spark's classes for faster starts (once, some seconds more): %s",
             archive)
    return JvmOptions(f"{GC_OPTIONS} -XX:ArchiveClassesAtExit={shlex.quote(str(partial))} {SILENT}", partial, archive)
