"""A real HTTP server on loopback that plays GitHub's GET /events from recorded data, and can misbehave."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, urlsplit

API_PAGES = Path(__file__).resolve().parents[2] / "data" / "github-events" / "api-pages"
_DROPPED = {"content-encoding", "transfer-encoding", "content-length", "date", "server", "status", "etag", "link"}


def recorded_meta() -> dict[str, dict]:
    """RESPONSES_META.json by file name: each recorded body's request path, status and real headers."""
    entries = json.loads((API_PAGES / "RESPONSES_META.json").read_text(encoding="utf-8"))
    return {entry["file"]: entry for entry in entries}


def event_ids(body: bytes) -> list[str]:
    return [str(event["id"]) for event in json.loads(body)]


@dataclass(frozen=True)
class ServedPage:
    body: bytes
    headers: dict[str, str]
    ids: tuple[str, ...]

    @property
    def etag(self) -> str:
        return next(v for k, v in self.headers.items() if k.lower() == "etag")


class PageSource(Protocol):
    def page(self, number: int, per_page: int, base_url: str) -> ServedPage | None: ...


@dataclass
class RecordedPages:
    """Recorded response bodies served as pages 1..N, each with its own recorded headers (ETag, Link...)."""

    files: tuple[str, ...]

    def page(self, number: int, per_page: int, base_url: str) -> ServedPage | None:
        if not 1 <= number <= len(self.files):
            return None
        name = self.files[number - 1]
        body = (API_PAGES / name).read_bytes()
        meta = recorded_meta().get(name)
        if meta is None:  # a page recorded without its headers: those of a recorded GET /events
            headers = {**events_headers(), "ETag": 'W/"' + hashlib.md5(body).hexdigest() + '"'}
        else:
            headers = {k: v for k, v in meta["response_headers"].items()
                       if k.lower() not in _DROPPED - {"etag", "link"}}
        return ServedPage(body, headers, tuple(event_ids(body)))


@dataclass
class Feed:
    """A timeline of real events (oldest first); the API shows the newest `pages * per_page` that happened."""

    texts: list[str]
    ids: list[str]
    happened: int
    pages: int = 3
    shift_per_request: int = 0  # events that happen while a page is being read: pages shift under the reader
    poll_interval: str | None = None  # instead of the recorded X-Poll-Interval (60)
    send_poll_interval: bool = True  # False: no X-Poll-Interval header at all
    events_per_second: float = 0.0  # events that happen in real time, from the first request on
    lock: threading.Lock = field(default_factory=threading.Lock)
    _moving_since: tuple[float, int] | None = None  # (monotonic time, events happened then)

    def advance(self, events: int) -> None:
        with self.lock:
            self.happened = min(len(self.texts), self.happened + events)

    def _move(self) -> None:
        """Let the events of the real time since the first request happen (called under the lock)."""
        if not self.events_per_second:
            return
        if self._moving_since is None:
            self._moving_since = (time.monotonic(), self.happened)
        since, happened = self._moving_since
        moved = happened + int(self.events_per_second * (time.monotonic() - since))
        self.happened = min(len(self.texts), max(self.happened, moved))

    def page(self, number: int, per_page: int, base_url: str) -> ServedPage | None:
        with self.lock:
            if not 1 <= number <= self.pages:
                return None
            self._move()
            end = self.happened
            first = max(0, end - self.pages * per_page)
            newest_first = list(range(end - 1, first - 1, -1))
            chosen = newest_first[(number - 1) * per_page:number * per_page]
            self.happened = min(len(self.texts), self.happened + self.shift_per_request)
        body = ("[" + ",".join(self.texts[i] for i in chosen) + "]").encode("utf-8")
        headers = events_headers()
        if self.poll_interval is not None:
            headers["X-Poll-Interval"] = self.poll_interval
        if not self.send_poll_interval:
            del headers["X-Poll-Interval"]
        headers["ETag"] = 'W/"' + hashlib.md5(body).hexdigest() + '"'
        link = f'<{base_url}/events?per_page={per_page}&page={self.pages}>; rel="last"'
        if number < self.pages:
            link = f'<{base_url}/events?per_page={per_page}&page={number + 1}>; rel="next", ' + link
        headers["Link"] = link
        return ServedPage(body, headers, tuple(self.ids[i] for i in chosen))


def events_headers() -> dict[str, str]:
    """The real headers of a recorded GET /events response, less those each page sets itself."""
    recorded = recorded_meta()["Github.testGetEvents__0.json"]["response_headers"]
    return {k: v for k, v in recorded.items() if k.lower() not in _DROPPED}


@dataclass(frozen=True)
class Reply:
    """A scripted response. `page_after` serves the normal page after `delay`; `truncate_at` cuts its body."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    page_after: bool = False
    truncate_at: int | None = None


def server_error() -> Reply:
    return Reply(500, b'{"message":"Server Error"}', {"Content-Type": "application/json; charset=utf-8"})


def bad_gateway_html() -> Reply:
    html = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
    return Reply(502, html, {"Content-Type": "text/html"})


def rate_limited_403(reset_epoch: int) -> Reply:
    body = (b'{"message":"API rate limit exceeded for 127.0.0.1.","documentation_url":'
            b'"https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"}')
    return Reply(403, body, {"Content-Type": "application/json; charset=utf-8", "X-RateLimit-Limit": "60",
                             "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset_epoch),
                             "X-RateLimit-Used": "60", "X-RateLimit-Resource": "core"})


def too_many_429(retry_after: int) -> Reply:
    body = b'{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}'
    return Reply(429, body, {"Content-Type": "application/json; charset=utf-8", "Retry-After": str(retry_after)})


def not_an_array() -> Reply:
    return Reply(200, b'{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}',
                 {"Content-Type": "application/json; charset=utf-8"})


def slow(seconds: float) -> Reply:
    return Reply(delay=seconds, page_after=True)


def truncated(at: int = 1000) -> Reply:
    return Reply(page_after=True, truncate_at=at)


@dataclass(frozen=True)
class Seen:
    """One request the server answered."""

    page: int
    headers: dict[str, str]
    status: int
    at: float = field(default_factory=time.monotonic)  # when it was answered


class GitHubServer:
    """Serves GET /events?page=N from a PageSource, honours If-None-Match, plays scripted replies first."""

    def __init__(self, source: PageSource) -> None:
        self.source = source
        self.seen: list[Seen] = []
        self.served_ids: list[str] = []  # ids of every event sent in a complete 200 page, in order
        self.stopping = threading.Event()
        self._script: dict[int, deque[Reply]] = defaultdict(deque)
        self._lock = threading.Lock()
        self.url = ""

    def script(self, page: int, *replies: Reply) -> None:
        """The next requests for page get these replies, in order, before the normal page."""
        with self._lock:
            self._script[page].extend(replies)

    def next_reply(self, page: int) -> Reply | None:
        with self._lock:
            queue = self._script.get(page)
            return queue.popleft() if queue else None

    def record(self, seen: Seen, ids: tuple[str, ...] = ()) -> None:
        with self._lock:
            self.seen.append(seen)
            self.served_ids.extend(ids)

    @contextmanager
    def running(self) -> Iterator[str]:
        """Listen on 127.0.0.1 (a free port) and yield the base URL."""
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        httpd.daemon_threads = True
        thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        thread.start()
        self.url = f"http://127.0.0.1:{httpd.server_address[1]}"
        try:
            yield self.url
        finally:
            self.stopping.set()
            httpd.shutdown()
            httpd.server_close()


def _handler(server: GitHubServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            if url.path != "/events":
                return self._send(Reply(404, b'{"message":"Not Found"}'), page=0)
            page = int(query.get("page", ["1"])[0])
            per_page = int(query.get("per_page", ["30"])[0])
            reply = server.next_reply(page)
            if reply is not None and not reply.page_after:
                return self._send(reply, page)
            if reply is not None and reply.delay and server.stopping.wait(reply.delay):
                return None
            served = server.source.page(page, per_page, server.url)
            if served is None:
                return self._send(Reply(404, b'{"message":"Not Found"}'), page)
            if self.headers.get("If-None-Match") == served.etag:
                keep = {k: v for k, v in served.headers.items() if k.lower() != "content-type"}
                return self._send(Reply(304, b"", keep), page)
            late = reply if reply is not None else Reply()
            self._send(Reply(200, served.body, served.headers, late.delay, truncate_at=late.truncate_at), page,
                       served.ids)
            return None

        def _send(self, reply: Reply, page: int, ids: tuple[str, ...] = ()) -> None:
            if reply.truncate_at is not None or reply.delay:
                self.close_connection = True  # the client gets no complete page: its events are not served
                ids = ()
            # recorded before the headers go out: a reply without a body is complete at end_headers, and the
            # client may look at what the server saw as soon as it has it
            server.record(Seen(page, dict(self.headers.items()), reply.status), ids)
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.status != 304:
                self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            body = reply.body if reply.truncate_at is None else reply.body[:reply.truncate_at]
            try:
                self.wfile.write(body)
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

    return Handler

