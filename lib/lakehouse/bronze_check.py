"""Checking a bronze object before Spark reads it: whole and readable, how many lines, UTF-8 or not.

Lines are counted by lakehouse.lines, the rule of Hadoop's line reader (LF, CR or CRLF end a line), so the
count can be reconciled with the rows Spark reads from the object, and with what the bronze writer counted.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast

from isal import igzip, isal_zlib

from lakehouse.lines import LineCounter

CHUNK = 1 << 20
INFLATE_ERROR = cast(type[Exception], isal_zlib.error)  # a class: isal's stub declares it an instance


class CorruptObject(ValueError):
    """An object cannot be read whole (a truncated or damaged gzip stream)."""


@dataclass(frozen=True)
class ObjectCheck:
    """What reading a bronze object whole found."""

    lines: int  # a last line without a terminator counts
    utf8: bool  # every byte is UTF-8 text, so no line of the object needs that check again


def scan(stream: BinaryIO) -> ObjectCheck:
    """Count the lines of a byte stream (the one counter, Hadoop's rule) and check that it is UTF-8, in one read."""
    counter = LineCounter()
    utf8, unfinished = True, b""
    while chunk := stream.read(CHUNK):
        if utf8:
            utf8, unfinished = _utf8_lines(unfinished + chunk)
        counter.update(chunk)
    return ObjectCheck(counter.lines, utf8 and not unfinished)


def _utf8_lines(block: bytes) -> tuple[bool, bytes]:
    """Whether a block of text is UTF-8 so far, and the bytes of a character it ends in the middle of.

    Only lines with a byte above ASCII are decoded (a few percent of GitHub's lines).
    """
    if block.isascii():
        return True, b""
    *complete, last = block.split(b"\n")
    try:
        for line in complete:
            if not line.isascii():
                line.decode("utf-8")
        _, decoded = codecs.utf_8_decode(last, "strict", False)
    except UnicodeDecodeError:
        return False, b""
    return True, last[decoded:]


def check_object(path: Path) -> ObjectCheck:
    """Read a bronze object to its end (gzip: CRC and length checked): its lines, and whether it is UTF-8.

    ISA-L's inflate (python-isal, the gzip module's interface) is about twice as fast as zlib's.
    """
    try:
        if path.name.endswith(".gz"):
            with igzip.open(path, "rb") as stream:
                return scan(stream)
        with path.open("rb") as stream:
            return scan(stream)
    except (EOFError, OSError, INFLATE_ERROR) as e:
        raise CorruptObject(f"{path}: {e}") from e
