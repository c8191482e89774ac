"""What a rebuild or replay covers: a range of ingest days, and for a replay a quarantine reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lakehouse.errors import UserError


class ScopeError(UserError, ValueError):
    """A --from, --to or --reason that cannot be used; the message says how to fix it."""


def _day(text: str | None, option: str) -> str | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError as e:
        raise ScopeError(f"{option} {text!r} is not a day: write it as YYYY-MM-DD, e.g. 2015-01-01") from e


@dataclass(frozen=True)
class Scope:
    """Ingest days from `from_day` to `to_day` (both included, open where None); `reason` for replays."""

    from_day: str | None = None
    to_day: str | None = None
    reason: str | None = None
    dry_run: bool = False

    @classmethod
    def of(cls, from_day: str | None = None, to_day: str | None = None, reason: str | None = None,
           dry_run: bool = False) -> Scope:
        """Checked: days in ISO form, in order."""
        scope = cls(_day(from_day, "--from"), _day(to_day, "--to"), reason or None, dry_run)
        if scope.from_day and scope.to_day and scope.from_day > scope.to_day:
            raise ScopeError(f"--from {scope.from_day} is after --to {scope.to_day}: swap them")
        return scope

    def covers(self, day: str) -> bool:
        return (self.from_day is None or self.from_day <= day) and (self.to_day is None or day <= self.to_day)
