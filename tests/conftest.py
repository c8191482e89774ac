"""Shared fixtures: one Spark session (lazy), a fresh lake per test, a moto server on loopback."""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from lakehouse.settings import Settings
from tests.support.aws import environment, moto_server, reset

# PySpark hands timestamps back in the process's time zone; the command line runs in UTC, so do the tests.
os.environ["TZ"] = "UTC"
time.tzset()
# Tests run many short Spark sessions on tiny data: the JVM's quick compiler alone starts them faster.
os.environ.setdefault("LAKEHOUSE_JVM_OPTS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
_env_numbers = itertools.count(1)


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
    """One local Spark session with the embedded metastore of a session-wide root."""
    from lakehouse.runtime.local import local_spark

    session = local_spark(Settings.local(tmp_path_factory.mktemp("metastore")))
    yield session
    session.stop()


@pytest.fixture
def lake(tmp_path: Path) -> Settings:
    """A fresh lake: its own root and its own database (env) in the shared metastore."""
    return Settings.local(tmp_path / "lake", env=f"t{next(_env_numbers)}")
