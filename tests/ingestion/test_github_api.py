"""The GitHub client against a real HTTP server on loopback serving recorded pages with their headers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lakehouse.ingest.config import IngestConfig
from lakehouse.ingest.github_api import API_VERSION, USER_AGENT, GitHubClient, make_session
from tests.support.github_server import (
    GitHubServer,
    RecordedPages,
    bad_gateway_html,
    not_an_array,
    rate_limited_403,
    recorded_meta,
    server_error,
    slow,
    too_many_429,
    truncated,
)

PAGES = ("Github.testGetEvents__0.json", "AuthenticatedUser.testGetEvents__0.json", "Repository.testGetEvents__0.json")
NOW = 1_700_000_000.0


@pytest.fixture
def recorded() -> Iterator[GitHubServer]:
    server = GitHubServer(RecordedPages(PAGES))
    with server.running():
        yield server


def client_for(server: GitHubServer, **options: object) -> GitHubClient:
    config = IngestConfig(api_url=server.url, read_timeout=0.3, connect_timeout=1.0, backoff_factor=0.001,
                          **options)  # type: ignore[arg-type]
    return GitHubClient(make_session(config, "t0ken"), config, epoch=lambda: NOW)


def test_a_page_carries_the_recorded_events_and_etag(recorded: GitHubServer) -> None:
    page = client_for(recorded).fetch(1, None)
    assert page.status == "fresh"
    assert len(page.events) == 30
    assert page.etag == recorded_meta()[PAGES[0]]["response_headers"]["ETag"]
    assert page.pacing.poll_interval == 60.0
    assert page.has_next is True
    sent = recorded.seen[0].headers
    assert (sent["User-Agent"], sent["Accept"], sent["X-GitHub-Api-Version"]) == (
        USER_AGENT, "application/vnd.github+json", API_VERSION)
    assert sent["Authorization"] == "Bearer t0ken"
    assert "If-None-Match" not in sent


def test_a_page_with_its_last_etag_is_not_modified(recorded: GitHubServer) -> None:
    client = client_for(recorded)
    etag = client.fetch(2, None).etag
    page = client.fetch(2, etag)
    assert (page.status, page.etag, page.events) == ("not_modified", etag, ())
    assert recorded.seen[1].headers["If-None-Match"] == etag
    assert [s.status for s in recorded.seen] == [200, 304]


def test_server_errors_are_retried_then_the_page_is_read(recorded: GitHubServer) -> None:
    recorded.script(1, server_error(), bad_gateway_html())
    page = client_for(recorded).fetch(1, None)
    assert (page.status, page.retries, len(page.events)) == ("fresh", 2, 30)
    assert [s.status for s in recorded.seen] == [500, 502, 200]


def test_a_page_that_keeps_failing_is_reported_not_raised(recorded: GitHubServer) -> None:
    recorded.script(1, bad_gateway_html(), bad_gateway_html(), bad_gateway_html(), bad_gateway_html())
    page = client_for(recorded).fetch(1, None)
    assert (page.status, page.detail, page.retries) == ("failed", "HTTP 502", 2)
    assert [s.status for s in recorded.seen] == [502, 502, 502]


def test_a_primary_rate_limit_waits_until_the_reset(recorded: GitHubServer) -> None:
    recorded.script(1, rate_limited_403(int(NOW) + 1234))
    page = client_for(recorded).fetch(1, None)
    assert (page.status, page.wait_seconds) == ("rate_limited", 1234.0)


def test_a_secondary_rate_limit_waits_retry_after(recorded: GitHubServer) -> None:
    recorded.script(1, too_many_429(45))
    page = client_for(recorded).fetch(1, None)
    assert (page.status, page.wait_seconds, page.detail) == ("rate_limited", 45.0, "HTTP 429")


def test_a_response_slower_than_the_timeout_is_retried(recorded: GitHubServer) -> None:
    recorded.script(3, slow(2.0))
    page = client_for(recorded).fetch(3, None)
    assert (page.status, page.retries, len(page.events)) == ("fresh", 1, 30)


def test_a_response_that_never_comes_in_time_is_a_failed_page(recorded: GitHubServer) -> None:
    recorded.script(1, slow(2.0), slow(2.0))
    page = client_for(recorded, retries=1).fetch(1, None)
    assert (page.status, page.detail) == ("failed", "ConnectionError")


def test_a_truncated_body_is_a_failed_page(recorded: GitHubServer) -> None:
    recorded.script(1, truncated(at=5000))
    page = client_for(recorded).fetch(1, None)
    assert (page.status, page.detail) == ("failed", "ChunkedEncodingError")
    assert recorded.served_ids == []


def test_a_body_that_is_not_an_array_is_a_bad_body(recorded: GitHubServer) -> None:
    recorded.script(2, not_an_array())
    page = client_for(recorded).fetch(2, None)
    assert page.status == "bad_body"
    assert page.detail.startswith("body does not start with '['")
