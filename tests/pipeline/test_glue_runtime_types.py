"""The Glue adapter cannot run here (no Glue jar): mypy checks it against the awsglue package instead."""

from __future__ import annotations

from pathlib import Path

from mypy import api

REPO = Path(__file__).parents[2]
CONFIG = ["--config-file", str(REPO / "pyproject.toml"), "--no-incremental", "--follow-untyped-imports"]


def test_glue_runtime_type_checks_against_awsglue() -> None:
    out, err, status = api.run([*CONFIG, str(REPO / "lib/lakehouse/runtime/glue.py")])
    assert status == 0, out + err


def test_the_check_sees_awsglue_signatures(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.py"
    wrong.write_text(
        "from awsglue.job import Job\n"
        "def f(job: Job) -> None:\n"
        "    job.init('name', {}, 'one argument too many')\n"
    )
    out, _, status = api.run([*CONFIG, str(wrong)])
    assert status == 1 and 'wrong.py:3: error: Too many arguments for "init"' in out
