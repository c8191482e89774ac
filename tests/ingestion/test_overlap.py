"""Two invocations at once: the state stays whole (conditional writes), bronze holds every event served."""

from __future__ import annotations

import threading
from datetime import timedelta

import boto3

from lakehouse.ingest.dynamodb_state import DynamoStateStore
from lakehouse.ingest.poller import Poller
from lakehouse.settings import Settings
from lakehouse.storage import S3Store
from tests.ingestion.conftest import Timeline
from tests.ingestion.helpers import START, FakeClock, ids_of, make_poller, s3_objects
from tests.support.github_server import Feed, GitHubServer


def aws_poller(github: GitHubServer, settings: Settings, clock: FakeClock, request_id: str) -> Poller:
    return make_poller(github.url, clock, START + timedelta(seconds=600),
                       S3Store(boto3.client("s3"), settings.bucket("raw")),
                       DynamoStateStore(boto3.client("dynamodb"), settings.ingest_state_table), request_id)


def test_interleaved_invocations_merge_their_state_and_lose_nothing(
    github: GitHubServer, feed: Feed, timeline: Timeline, aws_settings: Settings,
) -> None:
    # GIVEN two invocations that loaded the same (empty) state
    clock = FakeClock()
    a, b = aws_poller(github, aws_settings, clock, "req-a"), aws_poller(github, aws_settings, clock, "req-b")
    a.start()
    b.start()
    # WHEN they poll and flush in turn, each saving over a state the other changed
    a.poll_round()
    b.poll_round()
    a.flush()
    feed.advance(100)
    b.poll_round()
    b.flush()  # conflict: B loaded version 0, A saved version 1; B merges into it
    feed.advance(100)
    a.poll_round()
    a.flush()
    # THEN bronze, deduped by id, is exactly what the server served
    objects = s3_objects(boto3.client("s3"), aws_settings.bucket("raw"))
    ids = [i for lines in objects.values() for i in ids_of(lines)]
    assert set(ids) == set(github.served_ids) == set(timeline.ids[0:500])
    assert (len(ids), len(objects)) == (300 + 400 + 200, 3)
    # AND the state holds both invocations' work: ids, counters added, three versions
    state = DynamoStateStore(boto3.client("dynamodb"), aws_settings.ingest_state_table).load()
    assert state.version == 3
    assert set(state.recent_ids) == set(timeline.ids[0:500])
    assert state.counters["events_new"] == a.counters.events_new + b.counters.events_new == 900
    assert state.counters["objects_written"] == 3
    assert state.last_object == a.objects[-1]


def test_concurrent_invocations_keep_every_event_and_count_all_work(
    github: GitHubServer, feed: Feed, timeline: Timeline, aws_settings: Settings,
) -> None:
    pollers = []
    for name in ("req-a", "req-b"):
        clock = FakeClock(on_sleep=[lambda _: feed.advance(120)])
        pollers.append(make_poller(github.url, clock, START + timedelta(seconds=600),
                                   S3Store(boto3.client("s3"), aws_settings.bucket("raw")),
                                   DynamoStateStore(boto3.client("dynamodb"), aws_settings.ingest_state_table),
                                   name, flush_seconds=120))
    reasons: dict[str, str] = {}
    threads = [threading.Thread(target=lambda p=p: reasons.update({p.request_id: p.run().stop_reason}))
               for p in pollers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert reasons == {"req-a": "deadline", "req-b": "deadline"}
    objects = s3_objects(boto3.client("s3"), aws_settings.bucket("raw"))
    ids = {i for lines in objects.values() for i in ids_of(lines)}
    assert ids == set(github.served_ids)
    state = DynamoStateStore(boto3.client("dynamodb"), aws_settings.ingest_state_table).load()
    assert state.counters["objects_written"] == len(objects) == sum(p.counters.objects_written for p in pollers)
    assert state.counters["events_new"] == sum(p.counters.events_new for p in pollers)
    assert state.counters["events_fetched"] == len(github.served_ids)
    assert set(state.recent_ids) == ids
