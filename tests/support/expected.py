"""What a silver run must report for some event lines, worked out with the json module alone (DESIGN.md's rules).

Kept apart from the pipeline on purpose: a test compares the job's figures with these, so a figure never
comes from a run that was merely checked once.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def event_of(line: bytes) -> dict[str, Any] | None:
    """The event of a line when the line is valid, else None.

    Valid: UTF-8 text that is one JSON object whose id, type, created_at, actor.login and repo.name are
    strings that are not blank, created_at ISO 8601 with a zone or offset.
    """
    try:
        event = json.loads(line.decode("utf-8"))
    except ValueError:  # not UTF-8, or not one JSON value
        return None
    if not isinstance(event, dict):
        return None
    actor, repo = event.get("actor"), event.get("repo")
    required = [
        event.get("id"),
        event.get("type"),
        event.get("created_at"),
        actor.get("login") if isinstance(actor, dict) else None,
        repo.get("name") if isinstance(repo, dict) else None,
    ]
    if not all(isinstance(value, str) and value.strip() for value in required):
        return None
    try:
        created = datetime.fromisoformat(event["created_at"])
    except ValueError:
        return None
    return event if created.tzinfo is not None else None


@dataclass(frozen=True)
class Expected:
    """A silver run's counts; `events` are the first copies that reach silver, in line order."""

    lines_read: int
    silver_rows: int
    quarantined: int
    duplicates: int
    events: list[dict[str, Any]]

    @property
    def counts(self) -> tuple[int, int, int, int]:
        return self.lines_read, self.silver_rows, self.quarantined, self.duplicates

    @property
    def figures(self) -> dict[str, int]:
        """The counts under the names of a run report."""
        return dict(zip(("lines_read", "silver_rows", "quarantined", "duplicates"), self.counts, strict=True))

    @property
    def ids(self) -> list[str]:
        return [e["id"] for e in self.events]

    @property
    def months(self) -> set[tuple[int, int]]:
        """The (year, month) in UTC of every event that reaches silver: silver's partitions."""
        stamps = (datetime.fromisoformat(e["created_at"]).astimezone(UTC) for e in self.events)
        return {(s.year, s.month) for s in stamps}


def expected_run(lines: Iterable[bytes], held: Iterable[str] = ()) -> Expected:
    """The counts of one silver run over `lines`, silver holding the event ids `held` before it.

    Each line is read once; an invalid line is quarantined; a valid line whose id is held or was seen
    earlier in the run is a duplicate; every other valid line is a silver row.
    """
    seen, first = set(held), []
    lines_read = valid = 0
    for line in lines:
        lines_read += 1
        event = event_of(line)
        if event is None:
            continue
        valid += 1
        if event["id"] not in seen:
            seen.add(event["id"])
            first.append(event)
    return Expected(lines_read, len(first), lines_read - valid, valid - len(first), first)


def documents(path: Path) -> list[bytes]:
    """The bronze lines `lakehouse ingest files` makes of a file: each JSON document of it (each element of
    an array) as one compact line. Parsed whole, so it also serves JSON-lines files (one document a line)."""
    raw = path.read_bytes()
    text = (gzip.decompress(raw) if path.name.endswith(".gz") else raw).decode("utf-8")
    decoder, at, found = json.JSONDecoder(), 0, []
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at == len(text):
            return [json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode("utf-8") for doc in found]
        document, at = decoder.raw_decode(text, at)
        found.extend(document if isinstance(document, list) else [document])
