"""GitHub Events API client: one page per call, conditional (ETag), rate-limit aware, retried by urllib3."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from lakehouse import __version__
from lakehouse.ingest.config import IngestConfig
from lakehouse.ingest.raw_events import NotAnArrayError, RawEvent, split_array

logger = logging.getLogger(__name__)

API_VERSION = "2022-11-28"
USER_AGENT = f"lakehouse-ingest/{__version__}"
RETRY_STATUSES = (500, 502, 503, 504)
BACKOFF_MAX_SECONDS = 8.0
SECONDARY_LIMIT_WAIT = 60.0  # GitHub: after a secondary rate limit without Retry-After, wait a minute

PageStatus = Literal["fresh", "not_modified", "rate_limited", "bad_body", "failed"]


@dataclass(frozen=True)
class Page:
    """What one GET /events?page=N gave: events, or why it gave none."""

    number: int
    status: PageStatus
    events: tuple[RawEvent, ...] = ()
    etag: str | None = None
    poll_interval: float | None = None
    rate_remaining: int | None = None  # X-RateLimit-Remaining: requests left in this window
    rate_reset: float | None = None  # X-RateLimit-Reset: when the window starts again (epoch seconds)
    wait_seconds: float | None = None
    has_next: bool = False
    retries: int = 0
    detail: str = ""


def make_session(config: IngestConfig, token: str | None) -> requests.Session:
    """A Session with GitHub's headers and urllib3 retries (5xx, connect and read errors, with jitter)."""
    session = requests.Session()
    session.headers.update({
        "User-Agent": USER_AGENT,
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": API_VERSION,
    })
    if token:
        session.headers["Authorization"] = f"Bearer {token}"
    retry = Retry(
        total=config.retries, connect=config.retries, read=config.retries, status=config.retries,
        other=0, allowed_methods=frozenset({"GET"}), status_forcelist=RETRY_STATUSES,
        backoff_factor=config.backoff_factor, backoff_jitter=config.backoff_factor,
        backoff_max=BACKOFF_MAX_SECONDS,
        respect_retry_after_header=False,  # a long Retry-After would sleep past the deadline, unseen
        raise_on_status=False,
    )
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def worst_case_seconds(config: IngestConfig) -> float:
    """The longest one page fetch can take: every attempt timing out, every backoff at its longest."""
    attempts = config.retries + 1
    backoffs = sum(
        min(BACKOFF_MAX_SECONDS, config.backoff_factor * (2 ** (n - 1) + 1))
        for n in range(2, config.retries + 1)
    )
    return attempts * (config.connect_timeout + config.read_timeout) + backoffs


class GitHubClient:
    """Fetches one page of GET /events; never raises for HTTP or body trouble, says it in the Page."""

    def __init__(self, session: requests.Session, config: IngestConfig, epoch: Callable[[], float]) -> None:
        self.session = session
        self.config = config
        self.epoch = epoch  # seconds since 1970 (UTC), for X-RateLimit-Reset
        self.worst_case_seconds = worst_case_seconds(config)

    def fetch(self, number: int, etag: str | None) -> Page:
        """GET /events?per_page=N&page=number with If-None-Match: etag."""
        headers = {"If-None-Match": etag} if etag else {}
        try:
            response = self.session.get(
                f"{self.config.api_url}/events",
                params={"per_page": self.config.per_page, "page": number},
                headers=headers,
                timeout=(self.config.connect_timeout, self.config.read_timeout),
            )
            body = response.content  # a truncated body raises here
        except requests.RequestException as e:
            logger.warning("page %d: request failed: %s", number, e, extra={"page": number})
            return Page(number, "failed", detail=type(e).__name__)
        return self._page(number, etag, response, body)

    def _page(self, number: int, etag: str | None, response: requests.Response, body: bytes) -> Page:
        """Classify one response."""
        retries = _retries(response)
        pacing: dict[str, Any] = {  # the headers' pacing, kept on every page that has them
            "poll_interval": _float(response.headers.get("X-Poll-Interval")),
            "rate_remaining": _int(response.headers.get("X-RateLimit-Remaining")),
            "rate_reset": _float(response.headers.get("X-RateLimit-Reset")),
        }
        if response.status_code == 304:
            return Page(number, "not_modified", etag=etag, retries=retries, **pacing)
        wait = self._rate_limit_wait(response)
        if wait is not None:
            logger.warning("page %d: rate limited for %.0f s", number, wait, extra={"page": number})
            return Page(number, "rate_limited", wait_seconds=wait, retries=retries,
                        detail=f"HTTP {response.status_code}")
        if response.status_code != 200:
            logger.warning("page %d: HTTP %d: %r", number, response.status_code, body[:200],
                           extra={"page": number, "status": response.status_code})
            return Page(number, "failed", retries=retries, detail=f"HTTP {response.status_code}")
        try:
            events = tuple(split_array(body))
        except NotAnArrayError as e:
            logger.error("page %d: body is not a JSON array: %s", number, e, extra={"page": number})
            return Page(number, "bad_body", retries=retries, detail=str(e))
        return Page(number, "fresh", events=events, etag=response.headers.get("ETag"),
                    has_next="next" in response.links, retries=retries, **pacing)

    def _rate_limit_wait(self, response: requests.Response) -> float | None:
        """Seconds to wait if this is a rate-limit response (403 or 429), else None."""
        if response.status_code not in (403, 429):
            return None
        retry_after = _float(response.headers.get("Retry-After"))
        if retry_after is not None:
            return max(retry_after, 1.0)
        if response.headers.get("X-RateLimit-Remaining") == "0":
            reset = _float(response.headers.get("X-RateLimit-Reset"))
            return max((reset or 0.0) - self.epoch(), 1.0)
        return SECONDARY_LIMIT_WAIT if response.status_code == 429 else None


def _retries(response: requests.Response) -> int:
    """How many times urllib3 retried before this response."""
    retry = getattr(response.raw, "retries", None)
    return len(retry.history) if retry is not None else 0


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
