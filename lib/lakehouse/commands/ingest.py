"""`lakehouse ingest files`."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from lakehouse.ingest.files import UnreadableFile, ingest_file
from lakehouse.layout import utc_now
from lakehouse.settings import Settings

log = logging.getLogger("lakehouse")


def ingest_files(settings: Settings, paths: list[Path], ingest_dt: date | None) -> int:
    """Ingest each file; one line per file; non-zero exit if any file was refused."""
    now = utc_now()
    day = ingest_dt or now.date()
    raw_root = Path(settings.uri("raw"))
    refused = 0
    for path in paths:
        try:
            result = ingest_file(path, raw_root, day, now)
        except UnreadableFile as e:
            log.error("refused %s", e)
            refused += 1
            continue
        if not result.lines:
            log.info("skipped %s: it holds no events", path)
        elif result.skipped:
            log.info("skipped %s: the same content is already in bronze as %s", path, result.key)
        else:
            log.info("ingested %s: %d lines into %s", path, result.lines, result.key)
    return 1 if refused else 0
