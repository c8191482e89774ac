"""Our job bookmarks for local runs: per job, a manifest of the files each source has processed.

Same options as Glue's `--job-bookmark-option`: enable (read new files, remember them on commit),
disable (read everything, remember nothing), pause (read new files, remember nothing). The manifest is
saved atomically on commit (a temporary file renamed over the old one), so a run that dies before
committing leaves the previous bookmark intact.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from lakehouse.storage import write_atomically


class BookmarkOption(StrEnum):
    ENABLE = "job-bookmark-enable"
    DISABLE = "job-bookmark-disable"
    PAUSE = "job-bookmark-pause"

    @classmethod
    def parse(cls, text: str) -> BookmarkOption:
        """Accept Glue's full form (`job-bookmark-enable`) or the short one (`enable`)."""
        for option in cls:
            if text in (option.value, option.value.removeprefix("job-bookmark-")):
                return option
        choices = ", ".join(o.value for o in cls)
        raise ValueError(f"bookmark option {text!r} is not one of {choices} (or enable, disable, pause)")


@dataclass(frozen=True, order=True)
class FileMark:
    """What identifies a processed file: its path, size and modification time."""

    path: str
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> FileMark:
        stat = path.stat()
        return cls(str(path), stat.st_size, stat.st_mtime_ns)


@dataclass
class Bookmark:
    """The processed files of each source of one job, and what this run adds."""

    path: Path
    option: BookmarkOption
    processed: dict[str, set[FileMark]] = field(default_factory=dict)
    pending: dict[str, set[FileMark]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path, option: BookmarkOption) -> Bookmark:
        processed: dict[str, set[FileMark]] = {}
        if path.exists():
            saved = json.loads(path.read_text())
            processed = {src: {FileMark(*mark) for mark in marks} for src, marks in saved["sources"].items()}
        return cls(path, option, processed)

    def new_files(self, source: str, files: list[FileMark]) -> list[FileMark]:
        """The files of `source` this run must process, in path order; remembered for commit."""
        seen = set() if self.option is BookmarkOption.DISABLE else self.processed.get(source, set())
        new = sorted(f for f in files if f not in seen)
        self.pending.setdefault(source, set()).update(new)
        return new

    def commit(self) -> None:
        """Remember this run's files (with `enable` only), atomically."""
        if self.option is not BookmarkOption.ENABLE:
            return
        for source, marks in self.pending.items():
            self.processed.setdefault(source, set()).update(marks)
        self.pending = {}
        saved = {
            "sources": {
                src: sorted([m.path, m.size, m.mtime_ns] for m in marks) for src, marks in self.processed.items()
            }
        }
        write_atomically(self.path, json.dumps(saved, indent=1).encode())

    def summary(self) -> dict[str, int]:
        """Files remembered per source."""
        return {source: len(marks) for source, marks in sorted(self.processed.items())}


def reset(path: Path) -> bool:
    """Forget everything a job has processed; True if there was a bookmark."""
    existed = path.exists()
    path.unlink(missing_ok=True)
    return existed
