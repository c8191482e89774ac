"""Scenario 5: peak memory of the GH Archive backfill of a 200,000-event hour served from loopback, and of
one Lambda invocation writing 3,000 real events (10 poll rounds) to S3 on a moto server on loopback."""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bench.generate import generate, hour_key
from bench.timing import BenchError, timed
from lakehouse.settings import Settings

if TYPE_CHECKING:  # measured processes import only what they run
    from tests.support.github_server import Feed, ServedPage

HOUR = datetime(2015, 1, 1, 2, tzinfo=UTC)
LIMIT_MB = 256
PER_ROUND = 300  # what GitHub serves: 3 pages of 100


def peak_rss() -> int:
    """This process's peak resident set (VmHWM), in bytes."""
    status = Path("/proc/self/status").read_text().splitlines()
    return int(next(line.split()[1] for line in status if line.startswith("VmHWM:"))) * 1024


def memory(baseline: int) -> dict[str, float]:
    peak = peak_rss()
    return {"peak_rss_mb": round(peak / 2**20, 1), "baseline_rss_mb": round(baseline / 2**20, 1),
            "delta_mb": round((peak - baseline) / 2**20, 1)}


def measure(url: str, root: str) -> dict[str, object]:
    """In this process: backfill HOUR from `url` into `root`; peak RSS (VmHWM) and RSS after the imports."""
    import psutil

    from lakehouse.ingest.bronze_writer import BronzeWriter
    from lakehouse.ingest.gharchive import Backfill, archive_session
    from lakehouse.storage import LocalStore

    baseline = psutil.Process().memory_info().rss
    store = LocalStore(Path(root))
    [result] = Backfill(archive_session(), store, BronzeWriter(store), base_url=url).run([HOUR], progress=None)
    return {"status": result.status, "lines": result.lines, **memory(baseline)}


def measure_lambda(rounds: int) -> dict[str, object]:
    """In this process: one invocation of the Lambda handler, configured by the environment, that polls
    `rounds` times. Its clock jumps over the poll interval (60 s) instead of sleeping; the context's deadline
    on that clock falls half an interval after the last round's start, so the poller stops there."""
    import psutil

    from ingestion_lambda import handler
    from lakehouse.ingest.config import IngestConfig
    from lakehouse.ingest.github_api import worst_case_seconds
    from lakehouse.ingest.poller import DEFAULT_POLL_INTERVAL
    from tests.ingestion.helpers import FakeClock, LambdaContext

    baseline = psutil.Process().memory_info().rss
    config = IngestConfig.from_environ(os.environ)
    stop_threshold = config.margin_seconds + worst_case_seconds(config)
    clock = FakeClock(datetime.now(UTC))
    polling = timedelta(seconds=stop_threshold + (rounds - 0.5) * DEFAULT_POLL_INTERVAL)
    context = LambdaContext(deadline=clock.now() + polling, clock=clock.now)
    # the handler builds its clock at each call: this one, for this invocation
    handler.SystemClock = lambda: clock  # type: ignore[assignment,misc,return-value]
    result = handler.lambda_handler({}, context)
    return {"rounds": result["rounds"], "stop_reason": result["stop_reason"], **memory(baseline)}


@dataclass
class Rounds:
    """A Feed on which `per_round` more events have happened each time a poller starts a new round."""

    feed: Feed
    per_round: int = PER_ROUND
    polled: bool = False

    def page(self, number: int, per_page: int, base_url: str) -> ServedPage | None:
        if number == 1:
            if self.polled:
                self.feed.advance(self.per_round)
            self.polled = True
        return self.feed.page(number, per_page, base_url)


def lambda_scenario(events: int) -> dict[str, object]:
    """One invocation of the Lambda in a fresh process: GitHub serves `events` real events, 300 more each
    round; moto on loopback holds the bucket, state table, catalog and token. Checks what landed in S3."""
    from unittest import mock

    import boto3

    from lakehouse.ingest import config as names
    from tests.ingestion.conftest import create_ingest_resources, hour_timeline
    from tests.ingestion.helpers import ids_of, s3_objects
    from tests.support.aws import ACCOUNT_ID, REGION, environment, moto_server
    from tests.support.github_server import Feed, GitHubServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's server: no line per request
    rounds, rest = divmod(events, PER_ROUND)
    if rest or not rounds:
        raise ValueError(f"a Lambda invocation gets {PER_ROUND} events a round: {events} is not a multiple")
    timeline = hour_timeline()
    github = GitHubServer(Rounds(Feed(timeline.texts[:events], timeline.ids[:events], happened=PER_ROUND)))
    settings = Settings.aws("bench", ACCOUNT_ID, REGION)
    with moto_server() as aws_url, github.running() as github_url, mock.patch.dict(os.environ, environment(aws_url)):
        create_ingest_resources(settings)
        boto3.client("secretsmanager").create_secret(Name=settings.github_token_secret, SecretString="ghp_bench")
        env = {**environment(aws_url), names.ENV: settings.env, names.GITHUB_API_URL: github_url,
               names.GITHUB_TOKEN_SECRET: settings.github_token_secret}
        _, out = timed(["-m", "bench.ingest", "lambda", str(rounds)], env)
        objects = s3_objects(boto3.client("s3"), settings.bucket("raw"))
    written = [i for lines in objects.values() for i in ids_of(lines)]
    if len(written) != events or len(set(written)) != events:
        raise BenchError(f"the Lambda wrote {len(written)} events ({len(set(written))} distinct), not {events}")
    result = json.loads(out.splitlines()[-1])  # the handler logs to stdout before
    return {"events": events, "objects": len(objects), **result}


def scenario(work: Path, events: int, lambda_events: int = 10 * PER_ROUND) -> dict[str, object]:
    """Serve a generated hour of `events` as GH Archive names it; backfill it in a fresh process. Then one
    Lambda invocation writing `lambda_events`, its figures under lambda_*."""
    from tests.ingestion.archive_server import ArchiveServer

    source = Settings.local(work / "archive-source")
    generate(source, events, 1, start=HOUR, seed=5, tag="archive")
    folder = work / "archive"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(source.uri("raw", hour_key(HOUR, "archive")), folder / f"{HOUR:%Y-%m-%d}-{HOUR.hour}.json.gz")
    with ArchiveServer(folder).running() as url:
        _, out = timed(["-m", "bench.ingest", url, str(work / "backfill")])
    report: dict[str, object] = {"events": events, **json.loads(out), "target_peak_mb": LIMIT_MB}
    report.update({f"lambda_{key}": value for key, value in lambda_scenario(lambda_events).items()})
    return report


if __name__ == "__main__":
    if sys.argv[1] == "lambda":
        print(json.dumps(measure_lambda(int(sys.argv[2]))))
    else:
        print(json.dumps(measure(sys.argv[1], sys.argv[2])))
