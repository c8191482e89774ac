"""Poller state (ETag per page, recent ids, counters): versioned, saved only by conditional writes."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from filelock import FileLock

from lakehouse.errors import UserError
from lakehouse.ingest.raw_events import RecentIds
from lakehouse.storage import write_atomically

logger = logging.getLogger(__name__)

SAVE_ATTEMPTS = 5


class StateConflictError(RuntimeError):
    """Someone else saved the state since we loaded it."""


class StateFileError(UserError, ValueError):
    """A local state file cannot be read; the message names it."""


@dataclass(frozen=True)
class IngestState:
    """What one invocation hands the next. `version` counts saves; 0 means never saved."""

    version: int = 0
    etags: Mapping[int, str] = field(default_factory=dict)
    recent_ids: tuple[str, ...] = ()
    counters: Mapping[str, int] = field(default_factory=dict)
    last_object: str | None = None


@dataclass
class StateDelta:
    """What this invocation learnt since its last save: merged into whatever the store holds now."""

    etags: dict[int, str] = field(default_factory=dict)
    new_ids: list[str] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    last_object: str | None = None

    def __bool__(self) -> bool:
        return bool(self.etags or self.new_ids or any(self.counters.values()) or self.last_object)

    def apply(self, state: IngestState, capacity: int) -> IngestState:
        """state with this delta merged in: ids appended (bounded), counters added, ETags ours."""
        ids = RecentIds(capacity, state.recent_ids)
        for event_id in self.new_ids:
            ids.add(event_id)
        counters = dict(state.counters)
        for name, value in self.counters.items():
            counters[name] = counters.get(name, 0) + value
        return IngestState(
            version=state.version + 1,
            etags={**state.etags, **self.etags},
            recent_ids=tuple(ids.to_list()),
            counters=counters,
            last_object=self.last_object or state.last_object,
        )


class StateStore(Protocol):
    """Where the state lives. `save` raises StateConflictError unless the stored version is expected."""

    def load(self) -> IngestState: ...

    def save(self, state: IngestState, expected_version: int) -> None: ...


def save_merged(store: StateStore, delta: StateDelta, capacity: int) -> IngestState:
    """Merge delta into the stored state and save it, reloading and merging again on a conflict."""
    for attempt in range(1, SAVE_ATTEMPTS + 1):
        current = store.load()
        merged = delta.apply(current, capacity)
        try:
            store.save(merged, expected_version=current.version)
            return merged
        except StateConflictError:
            logger.warning("state changed under us (version %d), merging again (attempt %d)",
                           current.version, attempt)
    raise StateConflictError(f"state still changing after {SAVE_ATTEMPTS} attempts")


def _to_json(state: IngestState) -> dict[str, Any]:
    return {
        "version": state.version,
        "etags": {str(page): etag for page, etag in sorted(state.etags.items())},
        "recent_ids": list(state.recent_ids),
        "counters": dict(sorted(state.counters.items())),
        "last_object": state.last_object,
    }


def _from_json(data: Any) -> IngestState:
    if not isinstance(data, dict):
        raise ValueError(f"a JSON {type(data).__name__} where an object belongs")
    return IngestState(
        version=int(data["version"]),
        etags={int(page): str(etag) for page, etag in data.get("etags", {}).items()},
        recent_ids=tuple(data.get("recent_ids", ())),
        counters={str(k): int(v) for k, v in data.get("counters", {}).items()},
        last_object=data.get("last_object"),
    )


@dataclass(frozen=True)
class LocalStateStore:
    """The state as a JSON file, replaced atomically; a lock file serialises load-compare-save."""

    path: Path

    def load(self) -> IngestState:
        if not self.path.exists():
            return IngestState()
        try:
            return _from_json(json.loads(self.path.read_text(encoding="utf-8")))
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            raise StateFileError(f"{self.path} is not a valid ingestion state file ({e}): move it away") from e

    def save(self, state: IngestState, expected_version: int) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(self.path) + ".lock"):
            if self.load().version != expected_version:
                raise StateConflictError(f"{self.path} is no longer at version {expected_version}")
            write_atomically(self.path, json.dumps(_to_json(state), indent=1).encode("utf-8"))
