"""`lakehouse ingest files|api|gharchive`: events into the bronze of the local root, through the bronze writer.

`api` and `gharchive` need the `ingest` extra (requests): their modules are imported only when they run, and
without the extra only `files` is offered.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import math
import os
import sys
import uuid
from datetime import date
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lakehouse.errors import UserError
from lakehouse.ingest.config import DEFAULT_ARCHIVE_URL, GITHUB_API_URL, IngestConfig
from lakehouse.ingest.files import UnreadableFile, ingest_file
from lakehouse.layout import utc_now
from lakehouse.settings import Settings

if TYPE_CHECKING:
    from lakehouse.ingest.gharchive import HourResult
    from lakehouse.ingest.poller import Summary

log = logging.getLogger("lakehouse")

STATE_KEY = "ingest/state.json"  # in the artifacts bucket of the local root


class IngestCommandError(UserError):
    """A user error of `lakehouse ingest`: the CLI prints it in one line and exits non-zero."""


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day: use YYYY-MM-DD") from e


def register(sources: Any) -> None:
    """Add the `files`, `api` and `gharchive` sources to the `lakehouse ingest` parser."""
    files = sources.add_parser("files", help="copy event files (JSON lines, gzip or not; JSON arrays) into bronze")
    files.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    files.add_argument("--ingest-dt", type=_day, help="bronze partition day (default: today, UTC)")
    files.set_defaults(handler=run_files)
    if find_spec("requests") is None:  # no `ingest` extra: no poller, no backfill
        return
    api = sources.add_parser(
        "api", help="poll GitHub's public events API into bronze",
        description="Poll GET /events (3 pages of 100) into bronze under the local root, deduplicated by id.",
    )
    api.add_argument("--max-seconds", type=float, default=None,
                     help="keep polling for this long, as X-Poll-Interval allows (default: one round)")
    api.add_argument("--api-url", default=None,
                     help=f"API base URL (default: ${GITHUB_API_URL}, else https://api.github.com)")
    api.set_defaults(handler=run_api)
    archive = sources.add_parser(
        "gharchive", help="backfill GH Archive hours into bronze",
        description="Download GH Archive hour files and put each in bronze as it is; hours already there are "
        "skipped.",
    )
    archive.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DDTHH", help="first hour (UTC)")
    archive.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DDTHH", help="last hour, included")
    archive.add_argument("--base-url", default=DEFAULT_ARCHIVE_URL,
                         help=f"archive URL (default {DEFAULT_ARCHIVE_URL})")
    archive.set_defaults(handler=run_gharchive)


def run_files(args: argparse.Namespace, settings: Settings) -> int:
    """Ingest each file; one line per file; non-zero exit if any file was refused."""
    now = utc_now()
    day = args.ingest_dt or now.date()
    raw_root = Path(settings.uri("raw"))
    refused = 0
    for path in args.paths:
        try:
            result = ingest_file(path, raw_root, day, now)
        except UnreadableFile as e:
            log.error("refused %s", e)
            refused += 1
            continue
        if not result.lines:
            log.info("skipped %s: it holds no events", path)
        elif result.skipped:
            log.info("skipped %s: the same content is already in bronze as %s", path, result.key)
        else:
            log.info("ingested %s: %d lines into %s", path, result.lines, result.key)
    return 1 if refused else 0


def run_api(args: argparse.Namespace, settings: Settings) -> int:
    """Poll once, or for --max-seconds, into the local root's bronze; state in its artifacts folder."""
    from lakehouse.ingest.bronze_writer import BronzeWriter
    from lakehouse.ingest.github_api import GitHubClient, make_session
    from lakehouse.ingest.poller import Poller
    from lakehouse.ingest.state import LocalStateStore, StateConflictError
    from lakehouse.ingest.timing import SystemClock, budget_remaining
    from lakehouse.storage import LocalStore

    config = IngestConfig.from_environ(os.environ)  # ConfigError is a UserError
    if args.api_url:
        if not args.api_url.startswith(("http://", "https://")):
            raise IngestCommandError(f"--api-url {args.api_url!r} is not an http(s) URL")
        config = dataclasses.replace(config, api_url=args.api_url.rstrip("/"))
    if args.max_seconds is not None and args.max_seconds <= 0:
        raise IngestCommandError(f"--max-seconds {args.max_seconds:g} must be positive")
    clock = SystemClock()
    client = GitHubClient(make_session(config, config.token), config, epoch=lambda: clock.now().timestamp())
    poller = Poller(
        client, BronzeWriter(LocalStore(Path(settings.uri("raw")))),
        LocalStateStore(Path(settings.uri("artifacts", STATE_KEY))), config, clock, lambda: math.inf,
        request_id=f"local-{uuid.uuid4().hex[:12]}", max_rounds=None if args.max_seconds else 1,
    )
    if args.max_seconds:  # poll for about max_seconds: the poller stops its threshold before `remaining` ends
        poller.remaining = budget_remaining(clock, args.max_seconds + poller.stop_threshold)
    try:
        summary = poller.run()
    except (StateConflictError, OSError) as e:
        raise IngestCommandError(f"cannot save to {settings.root}: {e}") from e
    print(_api_summary(summary, config.api_url, settings))
    c = summary.counters
    if c.pages_fetched + c.pages_not_modified == 0:
        raise IngestCommandError(
            f"no page could be read from {config.api_url}/events ({c.request_errors} request errors, "
            f"{c.bad_bodies} bad bodies, stopped: {summary.stop_reason})"
        )
    return 130 if summary.stop_reason == "interrupted" else 0


def _api_summary(summary: Summary, api_url: str, settings: Settings) -> str:
    c = summary.counters
    return (
        f"{api_url}: {summary.rounds} round(s), stopped ({summary.stop_reason}): {c.events_fetched} events "
        f"fetched, {c.events_new} new, {c.events_duplicate} duplicates; {c.pages_fetched} pages, "
        f"{c.pages_not_modified} unchanged (304), {c.rate_limit_waits} rate-limit waits, "
        f"{c.request_errors} request errors, {c.bad_bodies} bad bodies; {c.objects_written} object(s) "
        f"written under {settings.uri('raw')}; state version {summary.state_version}"
    )


def run_gharchive(args: argparse.Namespace, settings: Settings) -> int:
    """Backfill the hours --from..--to into the local root's bronze; 1 if any hour is missing or failed."""
    from lakehouse.ingest.bronze_writer import BronzeWriter
    from lakehouse.ingest.gharchive import Backfill, archive_session, hour_range, parse_hour
    from lakehouse.storage import LocalStore

    hours = hour_range(parse_hour(args.start), parse_hour(args.end))  # BackfillError is a UserError
    if not args.base_url.startswith(("http://", "https://")):
        raise IngestCommandError(f"--base-url {args.base_url!r} is not an http(s) URL")
    store = LocalStore(Path(settings.uri("raw")))
    backfill = Backfill(archive_session(), store, BronzeWriter(store), base_url=args.base_url)
    try:
        results = backfill.run(hours, progress=sys.stderr)
    except OSError as e:
        raise IngestCommandError(f"cannot write under {settings.root}: {e}") from e
    print(_archive_summary(results, settings))
    return 0 if all(r.status in ("written", "skipped") for r in results) else 1


def _archive_summary(results: list[HourResult], settings: Settings) -> str:
    from lakehouse.ingest.gharchive import hour_label

    def hours_of(status: str) -> list[HourResult]:
        return [r for r in results if r.status == status]

    written = hours_of("written")
    parts = [
        f"{len(results)} hour(s): {len(written)} written ({sum(r.lines for r in written):,} events, "
        f"{sum(r.size for r in written):,} bytes) under {settings.uri('raw')}",
        f"{len(hours_of('skipped'))} already in bronze",
    ]
    for status in ("missing", "failed"):
        bad = hours_of(status)
        if bad:
            parts.append(f"{len(bad)} {status}: {', '.join(hour_label(r.hour) for r in bad)}")
    return "; ".join(parts)
