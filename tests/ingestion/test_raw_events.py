"""Splitting response bodies into events, each kept as GitHub sent it."""

from __future__ import annotations

import json

import pytest

from lakehouse.ingest.raw_events import NotAnArrayError, RecentIds, split_array
from tests.support.github_server import API_PAGES


def test_each_event_keeps_the_exact_text_of_a_real_page() -> None:
    # GIVEN a recorded GET /events body (compact, with non-ASCII text)
    body = (API_PAGES / "Github.testGetEvents__0.json").read_bytes()
    # WHEN it is split
    events = split_array(body)
    # THEN the texts, joined as GitHub joined them, give the body back byte for byte
    assert b"[" + ",".join(e.text for e in events).encode("utf-8") + b"]" == body
    assert [e.id for e in events] == [str(x["id"]) for x in json.loads(body)]
    assert not any(e.reserialised for e in events)
    assert len(events) == 30


def test_a_pretty_printed_page_is_reserialised_compactly() -> None:
    body = (API_PAGES / "events-2013-01-10.json").read_bytes()
    events = split_array(body)
    expected = [json.dumps(x, separators=(",", ":"), ensure_ascii=False) for x in json.loads(body)]
    assert [e.text for e in events] == expected
    assert all(e.reserialised for e in events)
    assert all("\n" not in e.text for e in events)


def test_elements_without_an_id_are_kept_and_keyed_by_content() -> None:
    events = split_array(b'[ {"type":"X"} , 7 ,{"id":12}]')
    assert [e.text for e in events] == ['{"type":"X"}', "7", '{"id":12}']
    assert events[0].id.startswith("sha256:") and events[1].id.startswith("sha256:")
    assert events[2].id == "12"


@pytest.mark.parametrize("body", [
    b'{"message":"Not Found"}',
    b"<html>502 Bad Gateway</html>",
    b'[{"id":"1"},{"id":"2"',
    b'[{"id":"1"}] trailing',
    b'[{"id":"1"} {"id":"2"}]',
    b"",
    b'["\xff"]',
])
def test_a_body_that_is_not_a_json_array_is_refused(body: bytes) -> None:
    with pytest.raises(NotAnArrayError):
        split_array(body)


def test_an_empty_array_has_no_events() -> None:
    assert split_array(b" [ ] \n") == []


def test_recent_ids_forget_the_oldest_past_capacity() -> None:
    recent = RecentIds(3, ["a", "b"])
    assert [recent.add(x) for x in ["b", "c", "d", "a"]] == [False, True, True, True]
    assert recent.to_list() == ["c", "d", "a"]
