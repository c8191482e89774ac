"""The Glue entry point: job arguments become a typed dataclass once, at the edge, then one run.

`glue_jobs/*.py` call `main(job, sys.argv)`. Nothing happens at import time; awsglue is imported
only inside `from_sys_argv`, so this module imports without the Glue jar.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from lakehouse.bookmarks import BookmarkOption
from lakehouse.errors import UserError
from lakehouse.jobs.scope import Scope
from lakehouse.settings import Settings
from lakehouse.tables import COMPACT_JOB, REBUILD_JOB, REPLAY_JOB, SILVER_JOB

log = logging.getLogger(__name__)

OPTIONAL = ("runtime", "root", "bucket_suffix", "mode", "from", "to", "reason")
# The modes of bronze_to_silver: other jobs on silver, serialized with its appends by the job's queue.
MODES = {"compact": COMPACT_JOB, "rebuild": REBUILD_JOB, "replay": REPLAY_JOB}


class JobArgumentError(UserError, ValueError):
    """The job's arguments are wrong; the message says how to fix them."""


@dataclass(frozen=True)
class JobArgs:
    job_name: str
    env: str
    runtime: Literal["glue", "local"]
    bookmark: BookmarkOption
    root: str | None = None
    bucket_suffix: str = ""
    job_run_id: str | None = None
    mode: str | None = None
    scope: Scope = field(default_factory=Scope)
    resolved: Mapping[str, str | None] = field(default_factory=dict, compare=False)
    """getResolvedOptions' whole dict: what Glue's Job.init expects."""

    @classmethod
    def from_options(cls, options: Mapping[str, str | None]) -> JobArgs:
        """From getResolvedOptions' dict. The runtime defaults to glue only when Glue started the job."""
        runtime = options.get("runtime") or ("glue" if options.get("JOB_RUN_ID") else "local")
        if runtime not in ("glue", "local"):
            raise JobArgumentError(f"--runtime {runtime!r} is not valid: use glue or local")
        mode = options.get("mode")
        if mode is not None and mode not in MODES:
            raise JobArgumentError(f"--mode {mode!r} is not valid: use one of {', '.join(MODES)}")
        scope = Scope.of(options.get("from"), options.get("to"), options.get("reason"))
        try:
            bookmark = BookmarkOption.parse(options.get("job_bookmark_option") or BookmarkOption.DISABLE.value)
        except ValueError as e:
            raise JobArgumentError(str(e)) from e
        return cls(
            job_name=str(options["JOB_NAME"]),
            env=str(options["env"]),
            runtime=runtime,  # type: ignore[arg-type]
            bookmark=bookmark,
            root=options.get("root"),
            bucket_suffix=options.get("bucket_suffix") or "",
            job_run_id=options.get("JOB_RUN_ID"),
            mode=mode,
            scope=scope,
            resolved=dict(options),
        )

    @classmethod
    def from_sys_argv(cls, argv: list[str]) -> JobArgs:
        """Parse with awsglue's getResolvedOptions, full option names, optional ones only when given."""
        from awsglue.utils import GlueArgumentError, getResolvedOptions

        given = [name for name in OPTIONAL if any(a == f"--{name}" or a.startswith(f"--{name}=") for a in argv)]
        wanted = ["JOB_NAME", "env", *given]
        try:
            return cls.from_options(getResolvedOptions(argv, wanted))
        except GlueArgumentError as e:
            raise JobArgumentError(f"{e} (a job takes --JOB_NAME NAME --env ENV)") from e

    def settings(self) -> Settings:
        if self.runtime == "local":
            return Settings.local(self.root, env=self.env)
        return Settings(env=self.env, bucket_suffix=self.bucket_suffix)


def run(job: str, args: JobArgs) -> dict[str, object]:
    """Build the runtime the arguments ask for and run the job once; returns the run's report."""
    from lakehouse.jobs.runner import run_job

    settings = args.settings()
    if args.runtime == "glue":
        from lakehouse.runtime.glue import GlueRuntime

        glue = GlueRuntime.create(settings, job, args.job_name, args.resolved)
        return run_job(glue, args.job_run_id, args.scope).as_json()
    from lakehouse.runtime.local import LocalRuntime, local_session

    with local_session(settings, app_name=args.job_name) as spark:
        return run_job(LocalRuntime.create(spark, settings, job, args.bookmark), scope=args.scope).as_json()


def job_of(script_job: str, args: JobArgs) -> str:
    """The job a script runs: bronze_to_silver --mode compact|rebuild|replay is that job on silver.

    Compaction, rebuilds and replays run as modes of the silver job so that, on Glue, the job's
    MaxConcurrentRuns 1 with run queuing keeps them from ever running beside an append to silver.
    """
    if args.mode is None:
        return script_job
    if script_job != SILVER_JOB:
        raise JobArgumentError(f"--mode {args.mode} belongs to {SILVER_JOB}, not {script_job}")
    return MODES[args.mode]


def main(job: str, argv: list[str]) -> int:
    """Entry of a Glue script: one line on stderr and exit 2 for wrong arguments."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("py4j").setLevel(logging.WARNING)
    try:
        args = JobArgs.from_sys_argv(argv)
        report = run(job_of(job, args), args)
    except UserError as e:
        print(f"{job}: {e}", file=sys.stderr)
        return 2
    log.info("run finished: %s", json.dumps(report, default=str))
    return 0
