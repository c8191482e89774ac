"""The poll loop: fetch pages, dedup by id, flush to bronze every few minutes, then save the state."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from typing import Literal

from lakehouse.ingest.bronze_writer import BronzeWriter
from lakehouse.ingest.config import IngestConfig
from lakehouse.ingest.github_api import GitHubClient, Page
from lakehouse.ingest.raw_events import RawEvent, RecentIds
from lakehouse.ingest.state import IngestState, StateDelta, StateStore, save_merged
from lakehouse.ingest.timing import Clock, Remaining

logger = logging.getLogger(__name__)

DEFAULT_POLL_INTERVAL = 60.0  # when the server sends no readable X-Poll-Interval
MIN_POLL_INTERVAL = 1.0  # never faster than this, whatever the server says
MAX_BUFFER_EVENTS = 10_000  # flush early past this, whatever the time: bounded memory

StopReason = Literal["deadline", "rate_limited", "max_rounds", "interrupted"]


@dataclass
class Counters:
    """What one invocation did; also added to the cumulative counters of the state."""

    events_fetched: int = 0
    events_new: int = 0
    events_duplicate: int = 0
    events_reserialised: int = 0
    pages_fetched: int = 0
    pages_not_modified: int = 0
    rate_limit_waits: int = 0
    bad_bodies: int = 0
    request_errors: int = 0
    retries: int = 0
    objects_written: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class Summary:
    """How an invocation ended."""

    request_id: str
    rounds: int
    stop_reason: StopReason
    counters: Counters
    objects: tuple[str, ...]
    state_version: int


@dataclass(frozen=True)
class _Round:
    poll_interval: float
    rate_limit_wait: float | None = None
    out_of_time: bool = False


def poll_interval(pages: list[Page], now: float, requests_per_round: int) -> float:
    """Seconds until the next round: what the server asks, paced to its rate limit, at least 1 s.

    GitHub says how often to poll in X-Poll-Interval (it may lower it below 60 s) and how many
    requests are left until the window resets in X-RateLimit-Remaining/-Reset: a round of N pages
    must not come more often than the rest of the window spread over what is left of it (with a
    token, 5,000 requests an hour: a round of 3 pages every 2.16 s at most).
    https://docs.github.com/en/rest/activity/events#list-public-events
    https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
    """
    asked = [p.pacing.poll_interval for p in pages if p.pacing.poll_interval is not None]
    interval = max(asked) if asked else DEFAULT_POLL_INTERVAL
    limits = [p.pacing for p in pages if p.pacing.rate_remaining is not None and p.pacing.rate_reset is not None]
    if limits and limits[-1].rate_reset is not None and limits[-1].rate_remaining is not None:
        window_left, remaining = limits[-1].rate_reset - now, limits[-1].rate_remaining
        if window_left > 0:
            interval = max(interval, window_left if remaining == 0 else requests_per_round * window_left / remaining)
    return max(interval, MIN_POLL_INTERVAL)


@dataclass
class Poller:
    """One invocation's loop. `request_id` names its objects; `remaining` says how long it may go on."""

    client: GitHubClient
    writer: BronzeWriter
    state_store: StateStore
    config: IngestConfig
    clock: Clock
    remaining: Remaining
    request_id: str
    max_rounds: int | None = None
    counters: Counters = field(default_factory=Counters)
    objects: list[str] = field(default_factory=list)
    _state: IngestState = field(default_factory=IngestState)
    _recent: RecentIds = field(init=False)
    _etags: dict[int, str] = field(default_factory=dict)
    _buffer: list[RawEvent] = field(default_factory=list)
    _delta: StateDelta = field(default_factory=StateDelta)
    _saved_counters: dict[str, int] = field(default_factory=dict)
    _seq: int = 0
    _last_flush: float = 0.0
    _flushing: bool = False

    def __post_init__(self) -> None:
        self._recent = RecentIds(self.config.recent_ids)

    def start(self) -> None:
        """Load the state the last invocations left: ETags and the ids they saved."""
        self._state = self.state_store.load()
        self._recent = RecentIds(self.config.recent_ids, self._state.recent_ids)
        self._etags = dict(self._state.etags)
        self._saved_counters = self.counters.as_dict()
        self._last_flush = self.clock.now().timestamp()
        logger.info("state version %d: %d ids remembered", self._state.version, len(self._recent))

    @property
    def stop_threshold(self) -> float:
        """Seconds before the deadline when no new request starts: the margin plus one worst fetch."""
        return self.config.margin_seconds + self.client.worst_case_seconds

    def run(self) -> Summary:
        """start(), poll until the deadline, rate limit or max_rounds, flush and save; then say how it went."""
        self.start()
        rounds = 0
        try:
            reason, rounds = self._loop()
        except KeyboardInterrupt:
            logger.warning("interrupted: flushing what was fetched")
            reason = "interrupted"
        except Exception:
            if not self._flushing:  # the failure was not in the writer or state store: save what we have
                logger.exception("poller failed: flushing what was fetched before failing")
                self.flush()
            raise
        self.flush()
        summary = Summary(self.request_id, rounds, reason, self.counters, tuple(self.objects),
                          self._state.version)
        logger.info("stopped (%s) after %d rounds", reason, rounds,
                    extra={"stop_reason": reason, "counters": self.counters.as_dict()})
        return summary

    def _loop(self) -> tuple[StopReason, int]:
        """Poll rounds until a reason to stop; flush when due."""
        rounds = 0
        while True:
            outcome = self.poll_round()
            rounds += 1
            if outcome.out_of_time:
                return "deadline", rounds
            wait = outcome.rate_limit_wait
            if wait is not None:
                if not self._can_wait(wait):
                    logger.warning("rate limited for %.0f s, past the deadline: stopping", wait)
                    return "rate_limited", rounds
                self.counters.rate_limit_waits += 1
            else:
                if self.max_rounds is not None and rounds >= self.max_rounds:
                    return "max_rounds", rounds
                wait = outcome.poll_interval
                if not self._can_wait(wait):
                    return "deadline", rounds
            if self._flush_due():
                self.flush()
            self.clock.sleep(wait)

    def poll_round(self) -> _Round:
        """Fetch pages 1..N (fewer if there is no next page), with their ETags; stop at a rate limit."""
        pages: list[Page] = []
        for number in range(1, self.config.pages + 1):
            if self.remaining() < self.stop_threshold:
                return _Round(self._interval(pages), out_of_time=True)
            page = self.client.fetch(number, self._etags.get(number))
            self._take(page)
            pages.append(page)
            if page.status == "rate_limited":
                return _Round(self._interval(pages), rate_limit_wait=page.wait_seconds)
            if page.status == "fresh" and not page.has_next:
                break
        return _Round(self._interval(pages))

    def _interval(self, pages: list[Page]) -> float:
        return poll_interval(pages, self.clock.now().timestamp(), self.config.pages)

    def _take(self, page: Page) -> None:
        """Count a page and buffer its new events."""
        c = self.counters
        c.retries += page.retries
        if page.status == "not_modified":
            c.pages_not_modified += 1
        elif page.status == "bad_body":
            c.bad_bodies += 1
        elif page.status == "failed":
            c.request_errors += 1
        if page.status != "fresh":
            return
        c.pages_fetched += 1
        for event in page.events:
            c.events_fetched += 1
            if self._recent.add(event.id):
                c.events_new += 1
                c.events_reserialised += event.reserialised
                self._buffer.append(event)
                self._delta.new_ids.append(event.id)
            else:
                c.events_duplicate += 1
        if page.etag:
            self._etags[page.number] = page.etag
            self._delta.etags[page.number] = page.etag

    def _can_wait(self, seconds: float) -> bool:
        return self.remaining() - seconds >= self.stop_threshold

    def _flush_due(self) -> bool:
        age = self.clock.now().timestamp() - self._last_flush
        return age >= self.config.flush_seconds or len(self._buffer) >= MAX_BUFFER_EVENTS

    def flush(self) -> None:
        """Write the buffered events as one bronze object, then save the state (never the other way)."""
        self._flushing = True
        if self._buffer:
            unique = f"{self.request_id}-{self._seq:05d}"
            written = self.writer.write_events(self.clock.now(), unique, [e.text for e in self._buffer])
            logger.info("wrote %s: %d events, %d bytes", written.key, written.lines, written.size,
                        extra={"object": written.key, "events": written.lines})
            self._seq += 1
            self.counters.objects_written += 1
            self.objects.append(written.key)
            self._delta.last_object = written.key
        now = self.counters.as_dict()
        self._delta.counters = {k: v - self._saved_counters.get(k, 0) for k, v in now.items()}
        if self._delta:
            self._state = save_merged(self.state_store, self._delta, self.config.recent_ids)
        self._saved_counters = now
        self._delta = StateDelta()
        self._buffer.clear()
        self._last_flush = self.clock.now().timestamp()
        self._flushing = False
