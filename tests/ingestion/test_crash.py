"""Crashes: what was saved is never fetched again as new; at most the unflushed events are missing."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

import boto3
import pytest

from lakehouse.ingest.dynamodb_state import DynamoStateStore
from lakehouse.ingest.state import IngestState
from lakehouse.settings import Settings
from lakehouse.storage import S3Store
from tests.ingestion.conftest import Timeline
from tests.ingestion.helpers import START, FakeClock, ids_of, make_poller, s3_objects
from tests.support.github_server import Feed, GitHubServer


class ProcessKilled(BaseException):
    """The runtime killing the process (timeout, out of memory): no Python clean-up runs."""


@dataclass
class StateSaveFails:
    """A state store whose second save fails, after the object of that flush is written."""

    inner: DynamoStateStore
    saves: int = 0

    def load(self) -> IngestState:
        return self.inner.load()

    def save(self, state: IngestState, expected_version: int) -> None:
        self.saves += 1
        if self.saves == 2:
            raise ConnectionError("injected: DynamoDB unreachable")
        self.inner.save(state, expected_version)


def run_until_crash(github: GitHubServer, feed: Feed, settings: Settings, crash: BaseException) -> None:
    """100 new events a minute, flush every 2 minutes: objects at 2 and 4 minutes, then `crash` at 5."""
    clock = FakeClock()

    def at_sixth_sleep(_: float) -> None:
        if len(clock.sleeps) == 6:
            raise crash

    clock.on_sleep += [lambda _: feed.advance(100), at_sixth_sleep]
    poller = make_poller(github.url, clock, START + timedelta(hours=1), S3Store(boto3.client("s3"),
                         settings.bucket("raw")), DynamoStateStore(boto3.client("dynamodb"),
                         settings.ingest_state_table), flush_seconds=120)
    with pytest.raises(type(crash)):
        poller.run()


def next_invocation(github: GitHubServer, settings: Settings) -> tuple[int, int]:
    """One round of a new invocation; (new, duplicate) events it saw."""
    state = DynamoStateStore(boto3.client("dynamodb"), settings.ingest_state_table)
    summary = make_poller(github.url, FakeClock(START + timedelta(minutes=10)), START + timedelta(hours=1),
                          S3Store(boto3.client("s3"), settings.bucket("raw")), state, "req-2", max_rounds=1).run()
    return summary.counters.events_new, summary.counters.events_duplicate


@pytest.mark.parametrize(("gap", "missing", "duplicates"), [(50, 0, 50), (150, 50, 0), (250, 100, 0)])
def test_a_killed_invocation_loses_at_most_its_unflushed_events(
    github: GitHubServer, feed: Feed, timeline: Timeline, aws_settings: Settings, gap: int, missing: int,
    duplicates: int,
) -> None:
    # GIVEN an invocation killed after 2 flushes ([0, 500) and [500, 700)), holding [700, 800) unflushed
    run_until_crash(github, feed, aws_settings, ProcessKilled())
    s3 = boto3.client("s3")
    saved = s3_objects(s3, aws_settings.bucket("raw"))
    assert [sorted(ids_of(lines)) for lines in saved.values()] == [sorted(timeline.ids[0:500]),
                                                                   sorted(timeline.ids[500:700])]
    # WHEN `gap` more events happen before the next invocation polls
    feed.advance(gap)
    new, dup = next_invocation(github, aws_settings)
    # THEN it takes nothing saved as new, and only unflushed events that scrolled away are missing
    assert (new, dup) == (300 - duplicates, duplicates)
    after = s3_objects(s3, aws_settings.bucket("raw"))
    later_ids = [i for key, lines in after.items() if key not in saved for i in ids_of(lines)]
    assert not set(later_ids) & set(timeline.ids[0:700])
    all_ids = [i for lines in after.values() for i in ids_of(lines)]
    assert len(all_ids) == len(set(all_ids))
    assert set(github.served_ids) - set(all_ids) == set(timeline.ids[700:700 + missing])


def test_a_failure_between_object_and_state_duplicates_but_never_skips(
    github: GitHubServer, feed: Feed, timeline: Timeline, aws_settings: Settings,
) -> None:
    # GIVEN the state save of the second flush fails after its object [500, 700) is written
    clock = FakeClock(on_sleep=[lambda _: feed.advance(100)])
    failing = StateSaveFails(DynamoStateStore(boto3.client("dynamodb"), aws_settings.ingest_state_table))
    poller = make_poller(github.url, clock, START + timedelta(hours=1), S3Store(boto3.client("s3"),
                         aws_settings.bucket("raw")), failing, flush_seconds=120)
    with pytest.raises(ConnectionError):
        poller.run()
    # WHEN the next invocation polls
    assert next_invocation(github, aws_settings) == (200, 100)
    # THEN those 200 events are in bronze twice (silver drops the copy), and nothing served is missing
    lines = [line for body in s3_objects(boto3.client("s3"), aws_settings.bucket("raw")).values() for line in body]
    copies = Counter(ids_of(lines))
    assert {i for i, n in copies.items() if n == 2} == set(timeline.ids[500:700])
    assert set(copies) == set(github.served_ids) == set(timeline.ids[0:700])
    assert max(copies.values()) == 2


def test_an_error_in_the_loop_flushes_what_was_fetched_before_raising(
    github: GitHubServer, feed: Feed, timeline: Timeline, aws_settings: Settings,
) -> None:
    run_until_crash(github, feed, aws_settings, RuntimeError("injected: a bug in the loop"))
    objects = s3_objects(boto3.client("s3"), aws_settings.bucket("raw"))
    ids = [i for lines in objects.values() for i in ids_of(lines)]
    assert sorted(ids) == sorted(timeline.ids[0:800]) == sorted(set(github.served_ids))
    state = DynamoStateStore(boto3.client("dynamodb"), aws_settings.ingest_state_table).load()
    assert (state.version, len(objects), state.last_object) == (3, 3, list(objects)[-1])
