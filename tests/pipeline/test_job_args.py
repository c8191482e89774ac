"""Job arguments: parsed once, at the edge, from getResolvedOptions' dict (no Glue needed)."""

from __future__ import annotations

import pytest

from lakehouse.bookmarks import BookmarkOption
from lakehouse.errors import UserError
from lakehouse.jobs.entry import JobArgs, JobArgumentError, job_of
from lakehouse.jobs.scope import Scope


def test_started_by_glue_means_the_glue_runtime() -> None:
    options = {
        "JOB_NAME": "lakehouse-dev-bronze_to_silver",
        "env": "dev",
        "bucket_suffix": "-1-eu-west-1",
        "JOB_RUN_ID": "jr_1",
        "job_bookmark_option": "job-bookmark-enable",
    }
    args = JobArgs.from_options(options)
    assert (args.runtime, args.bookmark, args.job_run_id, args.bucket_suffix) == (
        "glue",
        BookmarkOption.ENABLE,
        "jr_1",
        "-1-eu-west-1",
    )
    assert args.resolved == options
    assert args.settings().uri("raw") == "s3://dev-raw-1-eu-west-1"


def test_spark_submit_without_a_run_id_means_local_with_glue_s_default_bookmark(tmp_path: object) -> None:
    args = JobArgs.from_options({"JOB_NAME": "x", "env": "local", "root": "/data/lake", "job_bookmark_option": None})
    assert (args.runtime, args.bookmark) == ("local", BookmarkOption.DISABLE)
    assert args.settings().uri("silver") == "/data/lake/local-silver"


def test_runtime_can_be_forced_and_is_checked() -> None:
    assert (
        JobArgs.from_options({"JOB_NAME": "x", "env": "dev", "runtime": "local", "JOB_RUN_ID": "jr"}).runtime == "local"
    )
    with pytest.raises(JobArgumentError, match="--runtime 'emr' is not valid: use glue or local"):
        JobArgs.from_options({"JOB_NAME": "x", "env": "dev", "runtime": "emr"})


def test_from_sys_argv_reads_optional_options_in_both_forms() -> None:
    args = JobArgs.from_sys_argv(
        [
            "script.py",
            "--JOB_NAME",
            "x",
            "--env",
            "local",
            "--root=/tmp/lake",
            "--job-bookmark-option",
            "job-bookmark-pause",
        ]
    )
    assert (args.root, args.bookmark, args.runtime) == ("/tmp/lake", BookmarkOption.PAUSE, "local")


def test_compaction_is_a_mode_of_the_silver_job() -> None:
    compact = JobArgs.from_options({"JOB_NAME": "x", "env": "dev", "mode": "compact"})
    assert (
        job_of("bronze_to_silver", compact),
        job_of("silver_to_gold", JobArgs.from_options({"JOB_NAME": "x", "env": "dev"})),
    ) == ("compact_silver", "silver_to_gold")
    with pytest.raises(JobArgumentError, match="--mode compact belongs to bronze_to_silver, not silver_to_gold"):
        job_of("silver_to_gold", compact)
    with pytest.raises(JobArgumentError, match="--mode 'vacuum' is not valid: use one of compact, rebuild, replay"):
        JobArgs.from_options({"JOB_NAME": "x", "env": "dev", "mode": "vacuum"})


def test_rebuild_and_replay_are_modes_of_the_silver_job_with_their_scope() -> None:
    rebuild = JobArgs.from_options({"JOB_NAME": "x", "env": "dev", "mode": "rebuild", "from": "2015-01-01"})
    replay = JobArgs.from_options({"JOB_NAME": "x", "env": "dev", "mode": "replay", "reason": "bad_timestamp"})
    assert (job_of("bronze_to_silver", rebuild), job_of("bronze_to_silver", replay)) == (
        "rebuild_silver", "replay_quarantine"
    )
    assert (rebuild.scope, replay.scope) == (Scope("2015-01-01"), Scope(reason="bad_timestamp"))
    with pytest.raises(UserError, match="--to '2015-13-01' is not a day: write it as YYYY-MM-DD"):
        JobArgs.from_options({"JOB_NAME": "x", "env": "dev", "mode": "rebuild", "to": "2015-13-01"})
    with pytest.raises(UserError, match="--from 2015-02-01 is after --to 2015-01-01: swap them"):
        JobArgs.from_options({"JOB_NAME": "x", "env": "dev", "mode": "rebuild", "from": "2015-02-01",
                              "to": "2015-01-01"})
