"""Shared fixtures: one Spark session (lazy), a fresh lake per test, a moto server on loopback.

Also the test tiers: a test that starts a JVM is marked `spark`, one that starts a child process
`subprocess` (pytest.ini). A test is marked by the fixtures it uses (FIXTURE_MARKS), or by hand where
no fixture shows it; a test of the fast tier that starts Spark or a process anyway fails, naming the
marker it lacks.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import SparkSession

from lakehouse.settings import Settings
from tests.support import moto_extensions
from tests.support.aws import environment, moto_server, reset, share_service_models
from tests.support.jvm_archive import QUICK_JIT, build_archive, jvm_options, long_lived
from tests.support.tiers import refuse_processes, refuse_spark, xdist_scope

# PySpark hands timestamps back in the process's time zone; the command line runs in UTC, so do the tests.
os.environ["TZ"] = "UTC"
time.tzset()
# Tests run many short Spark sessions on tiny data: the JVM's quick compiler alone starts them faster.
os.environ.setdefault("LAKEHOUSE_JVM_OPTS", QUICK_JIT)
_env_numbers = itertools.count(1)
share_service_models()
moto_extensions.install()  # before the session's moto server serves a request


def pytest_configure(config: pytest.Config) -> None:
    """Under xdist, before any worker starts (they inherit the environment): the JVMs' class archive."""
    if not os.environ.get("PYTEST_XDIST_WORKER") and config.getoption("numprocesses", None):
        _use_jvm_archive(config)


def _use_jvm_archive(config: pytest.Config) -> None:
    """The JVMs' class archive, made once and kept in pytest's cache, unless the run starts no JVM (`make
    test-fast`) or the JVM options are the caller's own."""
    if os.environ["LAKEHOUSE_JVM_OPTS"] != QUICK_JIT or "not spark" in (config.option.markexpr or ""):
        return
    if not hasattr(config, "cache"):
        return
    try:
        if (archive := build_archive(config.cache.mkdir("jvm-archive"))) is not None:
            os.environ["LAKEHOUSE_JVM_OPTS"] = jvm_options(archive)
    except OSError as e:  # no room or no write access for the cache: the JVMs load their classes as they would
        config.issue_config_time_warning(pytest.PytestWarning(f"no JVM class archive: {e}"), stacklevel=2)


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    with moto_server() as url:
        yield url


@pytest.fixture
def aws(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An empty AWS account on the moto server: every boto3 client finds it via AWS_ENDPOINT_URL."""
    reset(moto_url)
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment(moto_url).items():
        monkeypatch.setenv(name, value)
    yield moto_url


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkSession]:
    """One local Spark session with the embedded metastore of a session-wide root, on a JVM with both compilers."""
    from lakehouse.runtime.local import local_spark

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LAKEHOUSE_JVM_OPTS", long_lived(os.environ["LAKEHOUSE_JVM_OPTS"]))
        session = local_spark(Settings.local(tmp_path_factory.mktemp("metastore")))
    yield session
    session.stop()


@pytest.fixture
def lake(tmp_path: Path) -> Settings:
    """A fresh lake: its own root and its own database (env) in the shared metastore."""
    return Settings.local(tmp_path / "lake", env=f"t{next(_env_numbers)}")


# Fixtures whose setup starts a JVM or a child process: a test using one, even through another fixture, is marked.
FIXTURE_MARKS = {
    "spark": ("spark",),  # the in-process session, started by the first test of a worker that uses it
    "release": ("subprocess",),  # deploy's release: `pip wheel` and `pip install --target` for the Lambda zip
    "lambda_dir": ("subprocess",),  # the Lambda zip, built with `pip install --target`
}
# Modules whose tests build one costly lake together (a module fixture, then tests that read what the first
# one ran): under xdist each stays on one worker, or both workers would build it; every other test is a work unit
# of its own.
SHARED_MODULES = ("tests/cli/test_commands.py", "tests/pipeline/test_marts.py", "tests/dashboard/test_page.py")
# The longest work units, longest first (a full run's durations, two workers on two cores): xdist hands work out
# in collection order, and a long unit started last would leave one worker running it alone at the end.
LONGEST_FIRST = (
    "tests/bench/test_bench.py::test_the_gold_scenario",
    "tests/cli/test_rebuild_commands.py::test_a_rebuild_killed_at_each_moment",
    "tests/bench/test_bench.py::test_the_silver_scenario",
    "tests/pipeline/test_marts.py",
    "tests/pipeline/test_rebuild.py::test_rebuild_under_new_code",
    "tests/pipeline/test_rebuild.py::test_new_bronze",
    "tests/cli/test_commands.py",
    "tests/pipeline/test_dedup.py::test_the_fast_path",
    "tests/cli/test_rebuild_commands.py::test_dry_run",
    "tests/pipeline/test_invariants.py::test_3_object_by_object",
    "tests/cli/test_glue_entry_scripts.py",
    "tests/cli/test_class_archive.py::test_a_first_run",
    "tests/dashboard/test_page.py",
    "tests/pipeline/test_rebuild.py::test_a_crash_at_any_step",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        used = getattr(item, "fixturenames", ())
        for mark in dict.fromkeys(m for fixture, marks in FIXTURE_MARKS.items() if fixture in used for m in marks):
            item.add_marker(mark)
    if not os.environ.get("PYTEST_XDIST_WORKER") and any(item.get_closest_marker("spark") for item in items):
        _use_jvm_archive(config)  # a run without xdist, of tests that start a JVM (no-op when made already)
    if os.environ.get("PYTEST_XDIST_WORKER"):
        # xdist hands out work in collection order: the longest first, so that no worker is left alone with a
        # long one at the end
        items.sort(key=lambda item: (_longest_first(item.nodeid), _cost_rank(item)))


@pytest.hookimpl(optionalhook=True)  # an xdist hook: `-p no:xdist` runs without it
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Work units of one test each, but a shared module's tests together (xdist's loadgroup marks do not take
    with pytest 9, whose node ids xdist cannot suffix)."""
    from xdist.scheduler import LoadScopeScheduling

    class Scheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return xdist_scope(nodeid, SHARED_MODULES)

    config.option.loadscopereorder = False  # else units of more tests go first, whatever they cost
    return Scheduling(config, log)


def _longest_first(nodeid: str) -> int:
    """A test's place in LONGEST_FIRST, or after them all."""
    return next((n for n, prefix in enumerate(LONGEST_FIRST) if nodeid.startswith(prefix)), len(LONGEST_FIRST))


def _cost_rank(item: pytest.Item) -> int:
    """0: starts JVMs or processes (the longest units: bench scenarios, the command line), 1: the in-process
    session's tests, 2: the rest."""
    if "spark" in getattr(item, "fixturenames", ()):
        return 1
    return 0 if item.get_closest_marker("spark") or item.get_closest_marker("subprocess") else 2


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Setup, call and teardown of a test not marked spark cannot start Spark; one marked neither spark
    nor subprocess cannot start a process (session fixtures are set up inside this, so they are guarded too)."""
    marked = {name for name in ("spark", "subprocess") if item.get_closest_marker(name)}
    with pytest.MonkeyPatch.context() as patch:
        if "spark" not in marked:
            refuse_spark(patch, item.nodeid)
        if "subprocess" not in marked:
            refuse_processes(patch, item.nodeid, allow_spark_gateway="spark" in marked)
        return (yield)
