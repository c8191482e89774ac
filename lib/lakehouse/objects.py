"""Checking a bronze object before Spark reads it: whole and readable, and how many lines it holds.

Lines are counted the way Hadoop's line reader splits them (LF, CR or CRLF end a line), so the count
can be reconciled with the rows Spark reads from the object.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO, cast

from isal import igzip, isal_zlib

CHUNK = 1 << 20
INFLATE_ERROR = cast(type[Exception], isal_zlib.error)  # a class: isal's stub declares it an instance


class CorruptObject(ValueError):
    """An object cannot be read whole (a truncated or damaged gzip stream)."""


def count_lines(stream: BinaryIO) -> int:
    """Lines in a byte stream, counting a last line without a terminator."""
    lines = 0
    last = b""
    pending_cr = False
    while chunk := stream.read(CHUNK):
        if pending_cr and chunk.startswith(b"\n"):
            lines -= 1  # the CR that ended the previous chunk and this LF are one CRLF
        lines += chunk.count(b"\n")
        if b"\r" in chunk:  # rare: one more pass for lone CRs only where there are any
            lines += chunk.count(b"\r") - chunk.count(b"\r\n")
        pending_cr = chunk.endswith(b"\r")
        last = chunk[-1:]
    if last and last not in (b"\n", b"\r"):
        lines += 1
    return lines


def check_object(path: Path) -> int:
    """The number of lines in a bronze object, reading gzip to its end (CRC and length checked).

    ISA-L's inflate (python-isal, the gzip module's interface) is about twice as fast as zlib's.
    """
    try:
        if path.name.endswith(".gz"):
            with igzip.open(path, "rb") as stream:
                return count_lines(stream)
        with path.open("rb") as stream:
            return count_lines(stream)
    except (EOFError, OSError, INFLATE_ERROR) as e:
        raise CorruptObject(f"{path}: {e}") from e
