"""Guards of the fast tier: a test that starts Spark or a process without its marker fails, naming the marker."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest
from pyspark import SparkContext
from pyspark.sql import SparkSession


def refuse_spark(patch: pytest.MonkeyPatch, nodeid: str) -> None:
    """Starting a SparkContext or getting a SparkSession fails the test (pytest's Failed: no `except Exception`
    catches it)."""

    def refuse(*_: Any, **__: Any) -> None:
        pytest.fail(f"{nodeid} starts a Spark session but is not marked spark (tests/conftest.py)", pytrace=False)

    patch.setattr(SparkContext, "_ensure_initialized", refuse)
    patch.setattr(SparkSession.Builder, "getOrCreate", refuse)


def refuse_processes(patch: pytest.MonkeyPatch, nodeid: str, allow_spark_gateway: bool) -> None:
    """Every subprocess.Popen (run, check_output, ...) fails the test, but pyspark's JVM when allowed."""
    popen = subprocess.Popen.__init__

    def guarded(self: subprocess.Popen[Any], args: Any, *rest: Any, **kwargs: Any) -> None:
        # pyspark starts its JVM as `spark-submit ... pyspark-shell`: the JVM of a test marked spark
        if not (allow_spark_gateway and isinstance(args, list) and args[-1:] == ["pyspark-shell"]):
            pytest.fail(f"{nodeid} starts a process {args!r} but is not marked subprocess (tests/conftest.py)",
                        pytrace=False)
        popen(self, args, *rest, **kwargs)

    patch.setattr(subprocess.Popen, "__init__", guarded)


def xdist_scope(nodeid: str, shared_modules: tuple[str, ...]) -> str:
    """The work unit of a test under xdist: its module when the module is shared, else the test itself."""
    module = nodeid.split("::", 1)[0]
    return module if module in shared_modules else nodeid
