"""Raw events: split a JSON array body into each element's own text, and remember recent ids."""

from __future__ import annotations

import hashlib
import json
import re
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class NotAnArrayError(ValueError):
    """A response body is not a JSON array (of anything)."""


@dataclass(frozen=True)
class RawEvent:
    """One event: its dedup key and its JSON text, as GitHub sent it (one line)."""

    id: str
    text: str
    reserialised: bool = False


def split_array(body: bytes) -> list[RawEvent]:
    """The elements of a JSON array body, each kept as the exact text GitHub sent.

    An element that spans several lines (a pretty-printed body: GitHub's API sends compact JSON) is
    re-serialised with compact separators and ensure_ascii=False, so that it fits on one bronze line.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise NotAnArrayError(f"body is not UTF-8: {e}") from e
    pos = _skip(text, 0)
    if not text.startswith("[", pos):
        raise NotAnArrayError(f"body does not start with '[': {text[pos:pos + 60]!r}")
    pos = _skip(text, pos + 1)
    events: list[RawEvent] = []
    if text.startswith("]", pos):
        return _end(text, pos + 1, events)
    while True:
        try:
            value, end = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError as e:
            raise NotAnArrayError(f"element {len(events)} is not valid JSON: {e}") from e
        events.append(_raw_event(value, text[pos:end]))
        pos = _skip(text, end)
        if text.startswith(",", pos):
            pos = _skip(text, pos + 1)
        elif text.startswith("]", pos):
            return _end(text, pos + 1, events)
        else:
            raise NotAnArrayError(f"expected ',' or ']' at character {pos} of the body")


def _skip(text: str, pos: int) -> int:
    match = _WHITESPACE.match(text, pos)
    return match.end() if match else pos


def _end(text: str, pos: int, events: list[RawEvent]) -> list[RawEvent]:
    if _skip(text, pos) != len(text):
        raise NotAnArrayError(f"unexpected text after the array at character {pos}")
    return events


def _raw_event(value: object, text: str) -> RawEvent:
    """A RawEvent for one decoded element and its source text."""
    reserialised = "\n" in text or "\r" in text  # outside strings only: JSON escapes them inside
    if reserialised:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    event_id = value.get("id") if isinstance(value, dict) else None
    if isinstance(event_id, (str, int)) and not isinstance(event_id, bool):
        key = str(event_id)
    else:  # no usable id: dedup by content; silver quarantines it with its reason
        key = "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
    return RawEvent(id=key, text=text, reserialised=reserialised)


class RecentIds:
    """The most recent `capacity` event ids, in arrival order: bounded memory for dedup."""

    def __init__(self, capacity: int, ids: Iterable[str] = ()) -> None:
        self.capacity = capacity
        self._ids: OrderedDict[str, None] = OrderedDict()
        for event_id in ids:
            self.add(event_id)

    def add(self, event_id: str) -> bool:
        """Remember event_id; True if it was not remembered already."""
        if event_id in self._ids:
            return False
        self._ids[event_id] = None
        while len(self._ids) > self.capacity:
            self._ids.popitem(last=False)
        return True

    def __contains__(self, event_id: object) -> bool:
        return event_id in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def to_list(self) -> list[str]:
        """Oldest first."""
        return list(self._ids)
