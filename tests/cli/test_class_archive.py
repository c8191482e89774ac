"""The options of the local JVM (runtime.class_archive): which a session's JVM gets (its collector, its class
archive), and a first run that makes the archive while its standard output stays the command's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pyspark import SparkContext

from lakehouse.runtime.class_archive import (
    CACHE_VAR,
    JVM_OPTS_VAR,
    STALE_SECONDS,
    JvmOptions,
    archive_path,
    jvm_options,
)
from lakehouse.settings import Settings
from tests.cli.test_commands import lakehouse
from tests.support.expected import expected_run
from tests.support.lake import put_object, real_lines

SAMPLE = "2015-01-01-15.first1024.json.gz"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No JVM options of the caller's own, an empty cache folder, and no JVM started yet by this process (under
    xdist, the worker's in-process session may have started one: it is put back after the test)."""
    monkeypatch.delenv(JVM_OPTS_VAR)
    monkeypatch.setattr(SparkContext, "_gateway", None)
    monkeypatch.setattr(SparkContext, "_jvm", None)
    monkeypatch.setenv(CACHE_VAR, str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_the_callers_own_options_replace_the_archive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(JVM_OPTS_VAR, "-Xss4m")
    assert jvm_options(make=True) == JvmOptions("-Xss4m")
    monkeypatch.setenv(JVM_OPTS_VAR, "")
    assert jvm_options(make=True) == JvmOptions("")


def test_a_session_maps_the_archive_once_there_is_one_and_else_a_first_one_makes_it(cache: Path) -> None:
    archive = archive_path(cache)
    assert jvm_options() == JvmOptions("-XX:+UseParallelGC")  # a session that does not make it: no archive
    cache.mkdir()
    left, writing = cache / f"{archive.stem}.1.partial", cache / f"{archive.stem}.2.partial"
    for partial in (left, writing):
        partial.write_bytes(b"classes")
    os.utime(left, (time.time() - 2 * STALE_SECONDS,) * 2)  # a killed first run's, long ago
    making = jvm_options(make=True)
    assert (left.exists(), writing.exists()) == (False, True)
    assert making.dumping == cache / f"{archive.stem}.{os.getpid()}.partial" and making.archive == archive
    assert making.options == f"-XX:+UseParallelGC -XX:ArchiveClassesAtExit={making.dumping} -Xlog:cds*=off"
    archive.write_bytes(b"")
    assert jvm_options(make=True) == jvm_options() == JvmOptions(
        f"-XX:+UseParallelGC -XX:SharedArchiveFile={archive} -Xlog:cds*=off"
    )
    assert archive_path(cache) == archive and archive.parent == cache


@pytest.mark.subprocess
def test_keep_ends_the_jvm_and_moves_the_archive_it_wrote_as_it_exited(cache: Path) -> None:
    """Python stands in for the JVM: like PySpark's gateway it exits at the end of its stdin, and writes its
    archive on the way out."""
    making = jvm_options(make=True)
    assert making.dumping is not None and making.archive is not None
    writes = f"import sys; sys.stdin.read(); open({str(making.dumping)!r}, 'w').write('classes')"
    jvm = subprocess.Popen([sys.executable, "-c", writes], stdin=subprocess.PIPE)
    making.keep(jvm)
    assert jvm.returncode == 0 and making.archive.read_text() == "classes" and not making.dumping.exists()


@pytest.mark.subprocess
@pytest.mark.spark
def test_a_first_run_makes_the_archive_and_prints_only_its_report(tmp_path: Path, cache: Path) -> None:
    root = tmp_path / "lake"
    lines = real_lines(SAMPLE)
    put_object(Settings.local(root), "2015-01-01", "a", lines)
    env = {k: v for k, v in os.environ.items() if k != JVM_OPTS_VAR}
    done = lakehouse(root, "run", "silver", "--json", env=env)
    assert done.returncode == 0, done.stderr
    [report] = [json.loads(line) for line in done.stdout.splitlines()]
    assert {k: report[k] for k in expected_run(lines).figures} == expected_run(lines).figures
    assert "saves Spark's classes" in done.stderr
    assert [p.name for p in cache.iterdir()] == [archive_path(cache).name]  # in place, no partial left
