"""The tests' own reckoning of a silver run (tests/support/expected.py) follows DESIGN.md's rules."""

from __future__ import annotations

import json

from tests.support.expected import event_of, expected_run
from tests.support.lake import real_lines
from tests.support.lake import with_field as set_field  # this module's with_field fixes the event

GOOD = real_lines("2015-01-01-15.first1024.json.gz", 1)[0]


def with_field(path: str, value: object) -> bytes:
    """The real event with one field (`actor.login`: a nested one) set to `value`."""
    return set_field(GOOD, path, value)


def test_a_real_event_is_valid_and_each_broken_rule_makes_it_invalid() -> None:
    assert event_of(GOOD) == json.loads(GOOD)
    broken = [b"{not json", b"[1,2]", GOOD + b"{}", GOOD.replace(b"petroav", b"petr\xe9av"), with_field("id", 1),
              with_field("type", " "), with_field("actor.login", "\u3000"), with_field("repo.name", None),
              with_field("actor", "petroav"), with_field("created_at", "2015-01-01T15:00:01"),
              with_field("created_at", "yesterday")]  # fmt: skip
    assert [event_of(line) for line in broken] == [None] * len(broken)
    assert event_of(with_field("created_at", "2015-01-01T16:00:01.5+01:00")) is not None


def test_a_second_copy_or_a_held_id_is_a_duplicate_and_a_bad_line_is_quarantined() -> None:
    other = with_field("id", "1")
    assert expected_run([GOOD, b"[]", GOOD, other, GOOD]).counts == (5, 2, 1, 2)
    assert expected_run([GOOD, other], held=[json.loads(GOOD)["id"]]).counts == (2, 1, 0, 1)
