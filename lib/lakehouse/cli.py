"""The `lakehouse` command: ingest, run, compact, rebuild, replay, query, status, bookmark, demo, dashboard
(and deploy from a checkout).

The forms documented in the README are a contract. Every error the user can fix is one line on
stderr and a non-zero exit; the result of `query` is the only thing on stdout.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from lakehouse import __version__
from lakehouse.bookmarks import BookmarkOption
from lakehouse.commands.ingest import register as register_ingest_sources
from lakehouse.dashboard.questions import DEFAULT_DAYS
from lakehouse.errors import JobError, SparkExited, UserError
from lakehouse.settings import ROOT_ENV_VAR, Settings
from lakehouse.tables import COMPACT_JOB, GOLD_JOB, JOBS, REPLAY_JOB, SILVER_JOB

log = logging.getLogger("lakehouse")

RUN_TARGETS = {"silver": (SILVER_JOB,), "gold": (GOLD_JOB,), "all": (SILVER_JOB, GOLD_JOB)}
EXIT_USER_ERROR = 2


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="lakehouse", description="A lake of GitHub events: bronze, silver, gold.")
    parser.add_argument("--root", help=f"local data root (default: ${ROOT_ENV_VAR}, else ./.lakehouse)")
    parser.add_argument("--version", action="version", version=f"lakehouse {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    ingest = commands.add_parser("ingest", help="put events into bronze")
    sources = ingest.add_subparsers(dest="source", required=True, metavar="SOURCE", parser_class=_Parser)
    register_ingest_sources(sources)

    run = commands.add_parser("run", help="run the jobs: silver (bronze→silver), gold (silver→gold) or all")
    run.add_argument("target", choices=sorted(RUN_TARGETS))
    run.add_argument("--bookmark", choices=["enable", "disable", "pause"], default="enable")
    run.add_argument("--json", action="store_true", help="print each run's counts as one JSON object")
    run.set_defaults(handler=_run)

    compact = commands.add_parser("compact", help="rewrite small silver files, one per partition and ingest day")
    compact.add_argument("target", choices=["silver"])
    compact.add_argument("--json", action="store_true", help="print the run's counts as one JSON object")
    compact.set_defaults(handler=_compact)

    _add_rebuild_commands(commands)

    query = commands.add_parser("query", help="Spark SQL against the catalog (table names unqualified)")
    query.add_argument("sql")
    query.add_argument("--format", choices=["table", "json", "csv"], default="table")
    query.set_defaults(handler=_query)

    status = commands.add_parser("status", help="tables, bookmarks and last runs")
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=_status)

    bookmark = commands.add_parser("bookmark", help="show or reset a job's bookmark")
    bookmark.add_argument("action", choices=["show", "reset"])
    bookmark.add_argument("job", choices=JOBS)
    bookmark.set_defaults(handler=_bookmark)

    demo = commands.add_parser("demo", help="load the bundled GH Archive sample, run silver and gold, show the lake")
    demo.add_argument("--sample", type=Path, action="append", help="event file to load (repeatable)")
    demo.set_defaults(handler=_demo)

    dashboard = commands.add_parser("dashboard", help="write the dashboard page (one self-contained HTML file)")
    where = dashboard.add_mutually_exclusive_group()
    where.add_argument("--root", default=argparse.SUPPRESS, help="the local lake's data root (as before the command)")
    where.add_argument("--env", help="ask Athena in this deployed env's workgroup (default: the local lake)")
    dashboard.add_argument("--days", type=int, default=DEFAULT_DAYS, help="days the charts cover, back from the newest")
    dashboard.add_argument("--out", type=Path, help="the file to write (default: <root>/dashboard.html)")
    dashboard.set_defaults(handler=_dashboard)

    deploy = commands.add_parser("deploy", help="plan, apply or destroy the AWS deployment (from a checkout)")
    deploy.add_argument("deploy_args", nargs=argparse.REMAINDER)
    deploy.set_defaults(handler=_deploy)
    return parser


def _add_rebuild_commands(commands: argparse._SubParsersAction) -> None:
    days = "ingest days (YYYY-MM-DD, both included; default: all)"
    rebuild = commands.add_parser("rebuild", help="derive silver partitions again from bronze, under this code")
    rebuild.add_argument("target", choices=["silver"])
    rebuild.add_argument("--from", dest="from_day", metavar="YYYY-MM-DD", help=f"partitions holding rows of {days}")
    rebuild.add_argument("--to", dest="to_day", metavar="YYYY-MM-DD")
    rebuild.add_argument("--dry-run", action="store_true", help="name the partitions and bronze objects; read no data")
    rebuild.add_argument("--with-gold", action="store_true", help="then recompute gold for the days touched")
    rebuild.add_argument("--json", action="store_true", help="print each run's counts as one JSON object")
    rebuild.set_defaults(handler=_rebuild)

    replay = commands.add_parser("replay", help="judge quarantined lines again; move those now valid to silver")
    replay.add_argument("target", choices=["quarantine"])
    replay.add_argument("--reason", help="only lines quarantined for this reason (e.g. bad_timestamp)")
    replay.add_argument("--from", dest="from_day", metavar="YYYY-MM-DD", help=f"quarantine of {days}")
    replay.add_argument("--to", dest="to_day", metavar="YYYY-MM-DD")
    replay.add_argument("--json", action="store_true", help="print the run's counts as one JSON object")
    replay.set_defaults(handler=_replay)


def _rebuild(args: argparse.Namespace, settings: Settings) -> int:
    from lakehouse.commands.rebuild import rebuild
    from lakehouse.jobs.scope import Scope

    scope = Scope.of(args.from_day, args.to_day, dry_run=args.dry_run)
    return rebuild(settings, scope, args.with_gold, args.json)


def _replay(args: argparse.Namespace, settings: Settings) -> int:
    from lakehouse.commands.rebuild import replay
    from lakehouse.jobs.scope import Scope

    return replay(settings, REPLAY_JOB, Scope.of(args.from_day, args.to_day, args.reason), args.json)


def _run(args: argparse.Namespace, settings: Settings) -> int:
    from lakehouse.commands.run import run_jobs

    return run_jobs(settings, RUN_TARGETS[args.target], BookmarkOption.parse(args.bookmark), args.json)


def _compact(args: argparse.Namespace, settings: Settings) -> int:
    from lakehouse.commands.run import run_jobs

    return run_jobs(settings, (COMPACT_JOB,), BookmarkOption.DISABLE, args.json)


def _query(args: argparse.Namespace, settings: Settings) -> int:
    from lakehouse.commands.query import query

    return query(settings, args.sql, args.format)


def _status(args: argparse.Namespace, settings: Settings) -> int:
    from lakehouse.commands.status import status

    return status(settings, args.json)


def _bookmark(args: argparse.Namespace, settings: Settings) -> int:
    from lakehouse.commands.bookmark import bookmark

    return bookmark(settings, args.action, args.job)


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from lakehouse.commands.demo import demo

    return demo(settings, args.sample)


def _dashboard(args: argparse.Namespace, settings: Settings) -> int:
    from lakehouse.commands.dashboard import dashboard

    if args.env and args.root:
        raise UserError("dashboard takes --root (the local lake) or --env (a deployed env), not both")
    return dashboard(settings, args.env, args.days, args.out)


def _deploy(args: argparse.Namespace, settings: Settings) -> int:
    try:
        from deploy.cli import main as deploy_main
    except ImportError as e:
        raise UserError("deploy runs from a checkout of the repository: run `python -m deploy` there") from e
    return int(deploy_main(args.deploy_args))


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line: `lakehouse: ...` and exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USER_ERROR, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _py4j_lost_jvm(record: logging.LogRecord) -> bool:
    """False for py4j's traceback of each call that found Spark's JVM gone (logged on the root logger): the
    command's error says it once (`runtime.local.SparkExited`)."""
    return not (record.name == "root" and record.getMessage() == "Exception while sending command.")


def main(argv: Sequence[str] | None = None) -> int:
    os.environ["TZ"] = "UTC"  # PySpark hands timestamps back in the process's zone: make that UTC
    time.tzset()
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    logging.root.handlers[0].addFilter(_py4j_lost_jvm)
    logging.getLogger("py4j").setLevel(logging.WARNING)
    logging.getLogger("urllib3").setLevel(logging.ERROR)  # each retry is counted and summed up in one line
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.local(args.root)
        return int(args.handler(args, settings))
    except UserError as e:
        print(f"lakehouse: {e}", file=sys.stderr)
        return EXIT_USER_ERROR
    except JobError as e:
        print(f"lakehouse: the job stopped before committing anything: {e}", file=sys.stderr)
        return 1
    except SparkExited as e:
        print(f"lakehouse: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("lakehouse: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
