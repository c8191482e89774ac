"""Record the AWS calls that production code makes, with botocore's event hooks, for the IAM check.

A hook on `before-parameter-build` sees each call's service, operation and parameters as the caller
passed them, before botocore serialises them. A call counts as production code's when a frame of the
project's code (lib/lakehouse, ingestion_lambda, deploy) is on the stack, so the tests' own set-up and
checks, made with the same clients, are left out.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import botocore.session

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = tuple(str(ROOT / part) + "/" for part in ("lib/lakehouse", "ingestion_lambda", "deploy"))
EVENT = "before-parameter-build"


@dataclass(frozen=True)
class Call:
    """One API call as production code made it: service (botocore's name), operation, parameters."""

    service: str
    operation: str
    params: dict[str, Any] = field(hash=False, compare=False)
    stack: tuple[str, ...] = field(default=(), hash=False, compare=False)  # the project's files, innermost first
    region: str = ""  # the client's region ("" when unknown)

    def made_by(self, path: str) -> bool:
        """True when this file of the project (e.g. `lib/lakehouse/ingest/gharchive.py`) was on the stack."""
        return str(ROOT / path) in self.stack

    def __str__(self) -> str:
        return f"{self.service}:{self.operation}"


def _production_stack() -> tuple[str, ...]:
    """The project's files on the caller's stack, innermost first (empty for the tests' own calls)."""
    found = []
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_filename.startswith(PRODUCTION):
            found.append(frame.f_code.co_filename)
        frame = frame.f_back  # type: ignore[assignment]
    return tuple(found)


class Recorder:
    """Collects production calls from every botocore session it is registered on."""

    def __init__(self) -> None:
        self.calls: list[Call] = []

    def __call__(self, params: dict[str, Any], model: Any, context: dict[str, Any] | None = None, **_: Any) -> None:
        stack = _production_stack()
        if stack:
            region = str((context or {}).get("client_region") or "")
            kept = {k: v if k == "Body" else copy.deepcopy(v) for k, v in params.items()}  # a body is only read
            self.calls.append(Call(model.service_model.service_name, model.name, kept, stack, region))

    def register(self, session: boto3.Session | botocore.session.Session) -> None:
        events = session.events if isinstance(session, boto3.Session) else session.get_component("event_emitter")
        events.register(EVENT, self, unique_id=f"iam-record-{id(self)}")


@contextmanager
def recording(*sessions: boto3.Session) -> Iterator[Recorder]:
    """Record from these sessions, boto3's default one and every botocore session made while inside."""
    recorder = Recorder()
    existing = [s for s in (*sessions, boto3.DEFAULT_SESSION) if s is not None]
    original = botocore.session.Session.__init__

    def init(self: botocore.session.Session, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        recorder.register(self)

    botocore.session.Session.__init__ = init  # type: ignore[method-assign]
    for session in existing:
        recorder.register(session)
    try:
        yield recorder
    finally:
        botocore.session.Session.__init__ = original  # type: ignore[method-assign]
        for session in existing:
            session.events.unregister(EVENT, unique_id=f"iam-record-{id(recorder)}")
