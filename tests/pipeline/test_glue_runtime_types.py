"""The Glue adapter cannot run here (no Glue jar): mypy checks it against the awsglue package instead."""

from __future__ import annotations

from pathlib import Path

import pytest
from mypy import api

REPO = Path(__file__).parents[2]
CONFIG = ["--config-file", str(REPO / "pyproject.toml"), "--follow-untyped-imports"]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """A fresh mypy cache shared by the two checks: the second does not analyse awsglue and pyspark again."""
    return ["--cache-dir", str(tmp_path_factory.mktemp("mypy-cache"))]


def test_glue_runtime_type_checks_against_awsglue(cache: list[str]) -> None:
    out, err, status = api.run([*CONFIG, *cache, str(REPO / "lib/lakehouse/runtime/glue.py")])
    assert status == 0, out + err


def test_the_check_sees_awsglue_signatures(cache: list[str], tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.py"
    wrong.write_text(
        "from awsglue.job import Job\n"
        "def f(job: Job) -> None:\n"
        "    job.init('name', {}, 'one argument too many')\n"
    )
    out, _, status = api.run([*CONFIG, *cache, str(wrong)])
    assert status == 1 and 'wrong.py:3: error: Too many arguments for "init"' in out
