"""State stores: conditional saves, merges on conflict, atomic local files."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest

from lakehouse.ingest.dynamodb_state import DynamoStateStore
from lakehouse.ingest.state import (
    IngestState,
    LocalStateStore,
    StateConflictError,
    StateDelta,
    StateFileError,
    StateStore,
    save_merged,
)
from lakehouse.settings import Settings

SAVED = IngestState(version=1, etags={1: 'W/"a"', 2: 'W/"b"'}, recent_ids=("1", "2", "3"),
                    counters={"events_new": 3}, last_object="github/events/ingest_dt=2026-03-01/x.json.gz")


@pytest.fixture(params=["dynamodb", "local"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> StateStore:
    if request.param == "local":
        return LocalStateStore(tmp_path / "artifacts" / "ingest" / "state.json")
    settings: Settings = request.getfixturevalue("aws_settings")
    return DynamoStateStore(boto3.client("dynamodb"), settings.ingest_state_table)


def test_a_saved_state_loads_back_whole(store: StateStore) -> None:
    assert store.load() == IngestState()
    store.save(SAVED, expected_version=0)
    assert store.load() == SAVED


def test_a_save_over_a_version_it_did_not_load_is_refused(store: StateStore) -> None:
    store.save(SAVED, expected_version=0)
    with pytest.raises(StateConflictError):
        store.save(IngestState(version=1), expected_version=0)
    with pytest.raises(StateConflictError):
        store.save(IngestState(version=3), expected_version=2)
    assert store.load() == SAVED


def test_save_merged_adds_to_what_another_invocation_saved(store: StateStore) -> None:
    store.save(SAVED, expected_version=0)
    delta = StateDelta(etags={2: 'W/"c"'}, new_ids=["3", "4"], counters={"events_new": 1, "objects_written": 1})
    merged = save_merged(store, delta, capacity=3)
    assert merged == store.load() == IngestState(
        version=2, etags={1: 'W/"a"', 2: 'W/"c"'}, recent_ids=("2", "3", "4"),
        counters={"events_new": 4, "objects_written": 1}, last_object=SAVED.last_object)


def test_a_damaged_local_state_file_is_named_in_the_error(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(StateFileError, match=r"state\.json is not a valid ingestion state file"):
        LocalStateStore(path).load()


def test_a_local_save_leaves_no_temporary_file(tmp_path: Path) -> None:
    LocalStateStore(tmp_path / "state.json").save(SAVED, expected_version=0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json", "state.json.lock"]
