"""The poll loop against the loopback GitHub server: nothing fetched is lost, nothing is written twice."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from lakehouse.ingest.github_api import Pacing, Page
from lakehouse.ingest.poller import poll_interval
from lakehouse.ingest.state import LocalStateStore
from lakehouse.ingest.timing import budget_remaining
from lakehouse.storage import LocalStore
from tests.ingestion.conftest import Timeline
from tests.ingestion.helpers import START, FakeClock, ids_of, local_objects, make_poller
from tests.support.github_server import (
    API_PAGES,
    Feed,
    GitHubServer,
    RecordedPages,
    not_an_array,
    rate_limited_403,
    recorded_meta,
    too_many_429,
)

PAGES = ("Github.testGetEvents__0.json", "AuthenticatedUser.testGetEvents__0.json", "Repository.testGetEvents__0.json")
PREFIX = "github/events/ingest_dt=2026-03-01"


@pytest.fixture
def recorded() -> Iterator[GitHubServer]:
    server = GitHubServer(RecordedPages(PAGES))
    with server.running():
        yield server


def test_every_event_fetched_lands_once_byte_for_byte(github: GitHubServer, feed: Feed, timeline: Timeline,
                                                      tmp_path: Path) -> None:
    # GIVEN 150 new events a minute, and pages that shift by 7 events while the poller reads them
    feed.shift_per_request = 7
    clock = FakeClock(on_sleep=[lambda _: feed.advance(150)])
    poller = make_poller(github.url, clock, START + timedelta(seconds=600), LocalStore(tmp_path / "raw"),
                         LocalStateStore(tmp_path / "state.json"))
    # WHEN it polls for a 10-minute invocation
    summary = poller.run()
    # THEN it polled every X-Poll-Interval (60 s) until 14 s (margin + worst fetch) before the deadline
    assert (summary.stop_reason, summary.rounds, clock.sleeps) == ("deadline", 10, [60.0] * 9)
    # AND flushed at 3 and 6 minutes and at the end
    objects = local_objects(tmp_path / "raw")
    assert list(objects) == [f"{PREFIX}/20260301T120300Z-req-1-00000.json.gz",
                             f"{PREFIX}/20260301T120600Z-req-1-00001.json.gz",
                             f"{PREFIX}/20260301T120900Z-req-1-00002.json.gz"]
    lines = [line for body in objects.values() for line in body]
    served = github.served_ids
    # AND each distinct event served is in bronze exactly once, as the archive has its text
    assert sorted(ids_of(lines)) == sorted(set(served))
    text_of = timeline.text_of()
    assert lines == [text_of[i].encode("utf-8") for i in ids_of(lines)]
    c = summary.counters
    assert (c.events_fetched, c.events_new, c.events_duplicate) == (len(served), len(set(served)),
                                                                    len(served) - len(set(served)))
    # 30 pages of 100; each round shows the timeline from 286 events before its first page (300 - 2 shifts)
    # down to its top, rounds overlap, so the union is events 14..1838 of the timeline
    assert (c.events_fetched, c.events_new, c.events_duplicate) == (3000, 1825, 1175)
    assert set(ids_of(lines)) == set(timeline.ids[14:1839])
    assert (c.pages_fetched, c.objects_written, c.request_errors) == (30, 3, 0)


def test_recorded_pages_land_as_sent_and_their_etags_make_the_next_poll_free(recorded: GitHubServer,
                                                                            tmp_path: Path) -> None:
    state = LocalStateStore(tmp_path / "state.json")
    store = LocalStore(tmp_path / "raw")
    first = make_poller(recorded.url, FakeClock(), START + timedelta(hours=1), store, state, max_rounds=1).run()
    bodies = [json.loads((API_PAGES / name).read_bytes()) for name in PAGES]
    expected = [json.dumps(e, separators=(",", ":"), ensure_ascii=False).encode("utf-8") for b in bodies for e in b]
    assert list(local_objects(tmp_path / "raw").values()) == [expected]
    recorded_etags = [{k.lower(): v for k, v in recorded_meta()[name]["response_headers"].items()}["etag"]
                      for name in PAGES]
    assert state.load().etags == dict(enumerate(recorded_etags, 1))
    second = make_poller(recorded.url, FakeClock(), START + timedelta(hours=1), store, state, "req-2",
                         max_rounds=1).run()
    assert (first.counters.events_new, first.counters.pages_fetched, first.state_version) == (90, 3, 1)
    assert (second.counters.pages_not_modified, second.counters.events_fetched, second.objects) == (3, 0, ())
    assert second.state_version == 2
    assert [s.status for s in recorded.seen] == [200, 200, 200, 304, 304, 304]
    assert state.load().counters["pages_not_modified"] == 3


def test_a_pretty_printed_page_is_written_compact_and_counted(tmp_path: Path) -> None:
    server = GitHubServer(RecordedPages(("events-2012-03.json",)))
    with server.running():
        summary = make_poller(server.url, FakeClock(), START + timedelta(hours=1), LocalStore(tmp_path / "raw"),
                              LocalStateStore(tmp_path / "state.json"), max_rounds=1).run()
    events = json.loads((API_PAGES / "events-2012-03.json").read_bytes())
    lines = [line for body in local_objects(tmp_path / "raw").values() for line in body]
    assert lines == [json.dumps(e, separators=(",", ":"), ensure_ascii=False).encode("utf-8") for e in events]
    assert (summary.counters.events_reserialised, summary.counters.events_new) == (30, 30)


def test_a_body_that_is_not_an_array_is_counted_and_the_other_pages_land(github: GitHubServer, timeline: Timeline,
                                                                        tmp_path: Path) -> None:
    github.script(2, not_an_array())
    summary = make_poller(github.url, FakeClock(), START + timedelta(hours=1), LocalStore(tmp_path / "raw"),
                          LocalStateStore(tmp_path / "state.json"), max_rounds=1).run()
    lines = [line for body in local_objects(tmp_path / "raw").values() for line in body]
    assert set(ids_of(lines)) == set(timeline.ids[200:300]) | set(timeline.ids[0:100])
    c = summary.counters
    assert (c.bad_bodies, c.pages_fetched, c.events_new, summary.stop_reason) == (1, 2, 200, "max_rounds")


def test_a_rate_limit_past_the_deadline_ends_the_run_cleanly(github: GitHubServer, timeline: Timeline,
                                                             tmp_path: Path) -> None:
    github.script(2, rate_limited_403(int((START + timedelta(hours=1)).timestamp())))
    clock = FakeClock()
    state = LocalStateStore(tmp_path / "state.json")
    summary = make_poller(github.url, clock, START + timedelta(seconds=600), LocalStore(tmp_path / "raw"),
                          state).run()
    # THEN it stops at once, saving what page 1 gave, long before the deadline
    assert (summary.stop_reason, summary.rounds, clock.sleeps, clock.current) == ("rate_limited", 1, [], START)
    lines = [line for body in local_objects(tmp_path / "raw").values() for line in body]
    assert ids_of(lines) == timeline.ids[299:199:-1]
    assert state.load().counters["events_new"] == 100


def test_a_secondary_rate_limit_is_waited_out_within_the_deadline(github: GitHubServer, feed: Feed,
                                                                 tmp_path: Path) -> None:
    github.script(1, too_many_429(30))
    clock = FakeClock(on_sleep=[lambda _: feed.advance(100)])
    summary = make_poller(github.url, clock, START + timedelta(seconds=600), LocalStore(tmp_path / "raw"),
                          LocalStateStore(tmp_path / "state.json"), max_rounds=3).run()
    assert clock.sleeps == [30.0, 60.0]
    c = summary.counters
    assert (c.rate_limit_waits, c.events_new, c.pages_fetched, summary.stop_reason) == (1, 400, 6, "max_rounds")


def test_the_poll_interval_the_server_asks_for_is_honoured(github: GitHubServer, feed: Feed, tmp_path: Path) -> None:
    feed.poll_interval = "150"
    clock = FakeClock()
    summary = make_poller(github.url, clock, START + timedelta(seconds=600), LocalStore(tmp_path / "raw"),
                          LocalStateStore(tmp_path / "state.json")).run()
    # rounds at 0, 150, 300 and 450 s; a fifth at 600 s would start past the stop threshold (586 s)
    assert (clock.sleeps, summary.rounds, summary.stop_reason) == ([150.0] * 3, 4, "deadline")


@pytest.mark.parametrize(("header", "wait"), [("1", 1.0), ("5", 5.0), ("60", 60.0), (None, 60.0),
                                           ("soon", 60.0), ("0.2", 1.0), ("0", 1.0)])
def test_the_next_round_comes_when_the_server_says_never_sooner_than_a_second(
    header: str | None, wait: float, github: GitHubServer, feed: Feed, tmp_path: Path,
) -> None:
    # GIVEN X-Poll-Interval as given (None: no such header), and a feed that moves between rounds
    feed.poll_interval, feed.send_poll_interval = header, header is not None
    clock = FakeClock(on_sleep=[lambda _: feed.advance(10)])
    poller = make_poller(github.url, clock, START + timedelta(hours=1), LocalStore(tmp_path / "raw"),
                         LocalStateStore(tmp_path / "state.json"), max_rounds=4)
    # WHEN it polls four rounds
    summary = poller.run()
    # THEN it waited what the header says between them (60 s when absent or unreadable, at least 1 s)
    assert (clock.sleeps, summary.counters.events_new) == ([wait] * 3, 300 + 3 * 10)


NOW = START.timestamp()


@pytest.mark.parametrize(("remaining", "reset_in", "asked", "wait"), [
    (4999, 3600.0, 1.0, 3 * 3600 / 4999),  # a token's 5,000 an hour, 3 pages a round: 2.16 s, not 1 s
    (4999, 3600.0, 60.0, 60.0),  # the server asks for less than the budget allows
    (30, 600.0, 1.0, 60.0),  # 30 requests left for 10 minutes: 10 rounds, one a minute
    (0, 90.0, 1.0, 90.0),  # nothing left: wait for the reset
    (58, -5.0, 1.0, 1.0),  # a reset in the past tells nothing
])
def test_rounds_never_come_faster_than_the_rate_limit_allows(
    remaining: int, reset_in: float, asked: float, wait: float,
) -> None:
    pages = [Page(n, "fresh", pacing=Pacing(asked, remaining + 3 - n, NOW + reset_in)) for n in (1, 2, 3)]
    assert poll_interval(pages, NOW, requests_per_round=3) == pytest.approx(wait)


def test_a_local_budget_polls_for_about_that_long(github: GitHubServer, feed: Feed, tmp_path: Path) -> None:
    clock = FakeClock(on_sleep=[lambda _: feed.advance(50)])
    poller = make_poller(github.url, clock, START, LocalStore(tmp_path / "raw"), LocalStateStore(tmp_path / "s.json"))
    poller.remaining = budget_remaining(clock, 300 + poller.stop_threshold)  # as `ingest api --max-seconds 300`
    summary = poller.run()
    assert (clock.sleeps, summary.rounds, summary.counters.events_new) == ([60.0] * 5, 6, 300 + 5 * 50)


def test_25_rounds_of_all_new_events_land_once_each(github: GitHubServer, feed: Feed, tmp_path: Path) -> None:
    # GIVEN 300 new events at every poll, so that every event fetched is new
    clock = FakeClock(on_sleep=[lambda _: feed.advance(300)])
    poller = make_poller(github.url, clock, START + timedelta(hours=1), LocalStore(tmp_path / "raw"),
                         LocalStateStore(tmp_path / "state.json"), max_rounds=25)
    started = time.perf_counter()
    summary = poller.run()
    seconds = time.perf_counter() - started
    rate = summary.counters.events_new / seconds
    print(f"poller: {summary.counters.events_new} events in {seconds:.2f} s: {rate:,.0f} events/s")  # -s shows it
    lines = [line for body in local_objects(tmp_path / "raw").values() for line in body]
    assert (summary.counters.events_new, len(lines), len(set(lines))) == (7500, 7500, 7500)
