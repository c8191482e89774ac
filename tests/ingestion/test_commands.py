"""`lakehouse ingest api` against the loopback GitHub server, through the real command line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest

from lakehouse.cli import main
from lakehouse.ingest import config as names
from tests.ingestion.conftest import hour_timeline
from tests.ingestion.helpers import ids_of, local_objects
from tests.support.aws import free_port
from tests.support.github_server import API_PAGES, Feed, GitHubServer, RecordedPages

PAGES = ("Github.testGetEvents__0.json", "AuthenticatedUser.testGetEvents__0.json", "Repository.testGetEvents__0.json")


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> Iterator[GitHubServer]:
    for name in names.ALL_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(names.RETRIES, "0")
    server = GitHubServer(RecordedPages(PAGES))
    with server.running():
        yield server


def test_api_polls_once_into_the_local_root_and_then_polls_for_free(
    recorded: GitHubServer, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    root = tmp_path / "lake"
    assert main(["--root", str(root), "ingest", "api", "--api-url", recorded.url]) == 0
    assert main(["--root", str(root), "ingest", "api", "--api-url", recorded.url]) == 0
    first, second = capsys.readouterr().out.splitlines()
    assert first == (f"{recorded.url}: 1 round(s), stopped (max_rounds): 90 events fetched, 90 new, 0 duplicates; "
                     "3 pages, 0 unchanged (304), 0 rate-limit waits, 0 request errors, 0 bad bodies; 1 object(s) "
                     f"written under {root}/local-raw; state version 1")
    assert second == (f"{recorded.url}: 1 round(s), stopped (max_rounds): 0 events fetched, 0 new, 0 duplicates; "
                      "0 pages, 3 unchanged (304), 0 rate-limit waits, 0 request errors, 0 bad bodies; 0 object(s) "
                      f"written under {root}/local-raw; state version 2")
    [lines] = local_objects(root / "local-raw").values()
    assert [json.loads(line) for line in lines] == [e for n in PAGES for e in json.loads((API_PAGES / n).read_bytes())]
    state = json.loads((root / "local-artifacts" / "ingest" / "state.json").read_text())
    assert (state["version"], len(state["recent_ids"]), state["counters"]["pages_not_modified"]) == (2, 90, 3)


@pytest.mark.slow
def test_a_server_that_allows_a_poll_a_second_is_polled_every_second_and_loses_nothing(
    recorded: GitHubServer, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    # GIVEN a window of 300 real events that moves at 50 events a second, and X-Poll-Interval: 1
    timeline = hour_timeline()
    feed = Feed(timeline.texts, timeline.ids, happened=300, poll_interval="1", events_per_second=50)
    server = GitHubServer(feed)
    root = tmp_path / "lake"
    with server.running() as url:
        # WHEN the command polls for 30 s
        assert main(["--root", str(root), "ingest", "api", "--api-url", url, "--max-seconds", "30"]) == 0
    # THEN a round started about every second (a round's own requests take a few ms)
    starts = [seen.at for seen in server.seen if seen.page == 1]
    gaps = [b - a for a, b in pairwise(starts)]
    assert 25 <= len(starts) <= 31 and all(1.0 <= gap < 1.5 for gap in gaps), gaps
    # AND every event served reached bronze exactly once, and none that happened meanwhile was missed
    landed = [line for lines in local_objects(root / "local-raw").values() for line in lines]
    served = set(server.served_ids)
    assert len(landed) == len(set(ids_of(landed))) == len(served)
    assert set(ids_of(landed)) == served
    newest = max(timeline.ids.index(i) for i in served)
    assert newest >= 300 + 25 * 50 and served >= set(timeline.ids[300:newest + 1])  # all that happened meanwhile


def test_an_unreachable_api_is_one_error_line(recorded: GitHubServer, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    assert main(["--root", str(tmp_path), "ingest", "api", "--api-url", url]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == (f"lakehouse: no page could be read from {url}/events (3 request errors, 0 bad bodies, "
                       "stopped: max_rounds)")
    assert not [line for line in err if "Traceback" in line]


@pytest.mark.parametrize(("args", "env", "message"), [
    (["--api-url", "ftp://example"], {}, "lakehouse: --api-url 'ftp://example' is not an http(s) URL"),
    ([], {names.GITHUB_API_URL: "example.org"},
     "lakehouse: LAKEHOUSE_GITHUB_API_URL='example.org' is not an http(s) URL"),
    (["--max-seconds", "-5"], {}, "lakehouse: --max-seconds -5 must be positive"),
    ([], {names.READ_TIMEOUT: "soon"}, "lakehouse: LAKEHOUSE_INGEST_READ_TIMEOUT='soon' is not a number"),
])
def test_a_user_error_is_one_line(args: list[str], env: dict[str, str], message: str, recorded: GitHubServer,
                                  tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["--root", str(tmp_path), "ingest", "api", *args]) == 2
    assert capsys.readouterr() == ("", message + "\n")


def test_a_damaged_state_file_is_one_error_line(recorded: GitHubServer, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "local-artifacts" / "ingest" / "state.json"
    state.parent.mkdir(parents=True)
    state.write_text("[]")
    assert main(["--root", str(tmp_path), "ingest", "api", "--api-url", recorded.url]) == 2
    assert capsys.readouterr().err == (f"lakehouse: {state} is not a valid ingestion state file "
                                       "(a JSON list where an object belongs): move it away\n")
