"""The fast tier's guards can fail: a test without its marker cannot start Spark or a process; the tests' JVM
options name the class archive only when there is one."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from lakehouse.runtime.class_archive import archive_path
from tests.support.jvm_archive import QUICK_JIT, jvm_options
from tests.support.tiers import refuse_processes, refuse_spark, xdist_scope


def test_an_unmarked_test_cannot_start_a_spark_session(monkeypatch: pytest.MonkeyPatch) -> None:
    refuse_spark(monkeypatch, "tests/x.py::test_x")
    with pytest.raises(pytest.fail.Exception, match=r"test_x starts a Spark session but is not marked spark"):
        SparkSession.builder.master("local[1]").getOrCreate()


def test_an_unmarked_test_cannot_start_a_process(monkeypatch: pytest.MonkeyPatch) -> None:
    refuse_processes(monkeypatch, "tests/x.py::test_x", allow_spark_gateway=True)
    with pytest.raises(pytest.fail.Exception, match=r"starts a process \['true'\] but is not marked subprocess"):
        subprocess.run(["true"], check=True)


@pytest.mark.subprocess
def test_a_test_marked_spark_may_start_only_the_jvm_of_its_session(monkeypatch: pytest.MonkeyPatch) -> None:
    refuse_processes(monkeypatch, "tests/x.py::test_x", allow_spark_gateway=True)
    assert subprocess.run(["true", "pyspark-shell"], check=True).returncode == 0  # pyspark's gateway command ends so
    refuse_processes(monkeypatch, "tests/x.py::test_x", allow_spark_gateway=False)
    with pytest.raises(pytest.fail.Exception, match="is not marked subprocess"):
        subprocess.run(["true", "pyspark-shell"], check=True)


def test_under_xdist_a_shared_module_is_one_work_unit_and_any_other_test_its_own() -> None:
    shared = ("tests/cli/test_commands.py",)
    assert xdist_scope("tests/cli/test_commands.py::test_status", shared) == "tests/cli/test_commands.py"
    assert xdist_scope("tests/pipeline/test_x.py::test_y[a::b]", shared) == "tests/pipeline/test_x.py::test_y[a::b]"


def test_the_jvm_options_name_the_class_archive_only_once_it_exists(tmp_path: Path) -> None:
    archive = archive_path(tmp_path)
    assert jvm_options(archive) == QUICK_JIT
    archive.write_bytes(b"")
    assert jvm_options(archive) == f"{QUICK_JIT} -XX:SharedArchiveFile={archive} -Xlog:cds*=off"
