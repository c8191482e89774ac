"""The one line counter of bronze content: lines as Hadoop's LineReader, so Spark's text reader and silver, split them.

LF, CR or CRLF ends a line, and a last line without a terminator counts. Imports nothing (the Lambda uses it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass
class LineCounter:
    """Counts the lines of bytes fed in chunks of any size; a CRLF cut between two chunks is one line end."""

    ended: int = 0  # lines closed by a terminator so far
    _last: bytes = b""

    def update(self, chunk: bytes) -> None:
        """Count the line ends in the next chunk."""
        if not chunk:
            return
        ended = chunk.count(b"\n")
        if b"\r" in chunk:  # rare: one more pass for lone CRs only where there are any
            ended += chunk.count(b"\r") - chunk.count(b"\r\n")
        if self._last == b"\r" and chunk.startswith(b"\n"):
            ended -= 1  # the CR that ended the previous chunk and this LF are one CRLF
        self.ended += ended
        self._last = chunk[-1:]

    @property
    def lines(self) -> int:
        """The lines so far, a last one without a terminator included."""
        return self.ended + (1 if self._last not in (b"", b"\n", b"\r") else 0)


def count_lines(chunks: Iterable[bytes]) -> int:
    """The lines of the concatenated chunks, by Hadoop's rule."""
    counter = LineCounter()
    for chunk in chunks:
        counter.update(chunk)
    return counter.lines
